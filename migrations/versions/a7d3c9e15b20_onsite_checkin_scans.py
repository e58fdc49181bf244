"""Check-in app: one row per device check-in nonce

Revision ID: a7d3c9e15b20
Revises: c4e8a2f61d93
"""

import sqlalchemy as sa
from alembic import op

revision = "a7d3c9e15b20"
down_revision = "c4e8a2f61d93"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "onsite_checkin_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=True),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('held', 'already', 'refused')", name=op.f("ck_onsite_checkin_scans_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_onsite_checkin_scans_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_onsite_checkin_scans_meeting_id_meetings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_onsite_checkin_scans_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onsite_checkin_scans")),
        sa.UniqueConstraint("nonce", name=op.f("uq_onsite_checkin_scans_nonce")),
    )
    with op.batch_alter_table("onsite_checkin_scans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_onsite_checkin_scans_event_id"), ["event_id"], unique=False)


def downgrade():
    with op.batch_alter_table("onsite_checkin_scans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_onsite_checkin_scans_event_id"))
    op.drop_table("onsite_checkin_scans")
