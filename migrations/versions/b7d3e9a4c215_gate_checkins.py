"""Gate check-ins and the event's gate rule for meetings

Revision ID: b7d3e9a4c215
Revises: a7d3c9e15b20
"""

import sqlalchemy as sa
from alembic import op

revision = "b7d3e9a4c215"
down_revision = "a7d3c9e15b20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "gate_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("gate", sa.String(length=60), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_in_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["checked_in_by_id"],
            ["users.id"],
            name=op.f("fk_gate_checkins_checked_in_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_gate_checkins_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_gate_checkins_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_checkins")),
        sa.UniqueConstraint("registration_id", "day", name="uq_gate_checkins_registration_day"),
    )
    with op.batch_alter_table("gate_checkins", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gate_checkins_event_checked_in_at", ["event_id", "checked_in_at"], unique=False
        )
    op.create_table(
        "gate_settings",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("meetings_need_gate", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_gate_settings_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_gate_settings")),
    )


def downgrade():
    op.drop_table("gate_settings")
    with op.batch_alter_table("gate_checkins", schema=None) as batch_op:
        batch_op.drop_index("ix_gate_checkins_event_checked_in_at")
    op.drop_table("gate_checkins")
