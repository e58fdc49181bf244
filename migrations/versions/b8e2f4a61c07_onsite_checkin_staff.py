"""Check-in staff: accounts an event's organisers let use the check-in app for that event

Revision ID: b8e2f4a61c07
Revises: d5f2a8c3e61b
"""

import sqlalchemy as sa
from alembic import op

revision = "b8e2f4a61c07"
down_revision = "d5f2a8c3e61b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "onsite_checkin_staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_onsite_checkin_staff_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_onsite_checkin_staff_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_onsite_checkin_staff_added_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onsite_checkin_staff")),
        sa.UniqueConstraint("event_id", "user_id", name="uq_onsite_checkin_staff_event_user"),
    )
    with op.batch_alter_table("onsite_checkin_staff") as batch_op:
        batch_op.create_index(batch_op.f("ix_onsite_checkin_staff_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_onsite_checkin_staff_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("onsite_checkin_staff") as batch_op:
        batch_op.drop_index(batch_op.f("ix_onsite_checkin_staff_user_id"))
        batch_op.drop_index(batch_op.f("ix_onsite_checkin_staff_event_id"))
    op.drop_table("onsite_checkin_staff")
