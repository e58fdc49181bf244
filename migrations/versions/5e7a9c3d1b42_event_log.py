"""event log: every organiser action, who, when and what changed

Revision ID: 5e7a9c3d1b42
Revises: e5a1c7d93b40
Create Date: 2026-12-05 23:00:00.000000

Entries stay after the event: a deleted user or event leaves the row (SET NULL), with the
actor's name and the subject kept as text.
"""

import sqlalchemy as sa
from alembic import op

import app.database

# revision identifiers, used by Alembic.
revision = "5e7a9c3d1b42"
down_revision = "e5a1c7d93b40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "event_log_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("at", app.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("details_json", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_log_entries_event_id_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_event_log_entries_actor_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_log_entries")),
    )
    with op.batch_alter_table("event_log_entries", schema=None) as batch_op:
        batch_op.create_index("ix_event_log_entries_event_at", ["event_id", "at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_log_entries_actor_id"), ["actor_id"], unique=False)


def downgrade():
    with op.batch_alter_table("event_log_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_log_entries_actor_id"))
        batch_op.drop_index("ix_event_log_entries_event_at")
    op.drop_table("event_log_entries")
