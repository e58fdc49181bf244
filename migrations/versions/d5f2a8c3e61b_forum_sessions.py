"""Networking forums: a session's kind, and the requested meetings between any two participants

Revision ID: d5f2a8c3e61b
Revises: c3e8f1a7d924
"""

import sqlalchemy as sa
from alembic import op

revision = "d5f2a8c3e61b"
down_revision = "c3e8f1a7d924"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("matching_sessions") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=10), nullable=False, server_default="bipartite"))
        batch.create_check_constraint("kind", "kind IN ('bipartite', 'forum')")
    op.create_table(
        "forum_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer(),
            sa.ForeignKey("matching_sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "a_registration_id",
            sa.Integer(),
            sa.ForeignKey("registrations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "b_registration_id",
            sa.Integer(),
            sa.ForeignKey("registrations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Integer(), sa.ForeignKey("registrations.id", ondelete="CASCADE")),
        sa.Column("answered_by_id", sa.Integer(), sa.ForeignKey("registrations.id", ondelete="CASCADE")),
        sa.Column("status", sa.String(length=9), nullable=False),
        sa.Column("part_of_day", sa.String(length=9)),
        sa.Column("note", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("session_id", "a_registration_id", "b_registration_id", name="uq_forum_pair"),
        sa.CheckConstraint("a_registration_id < b_registration_id", name="pair_order"),
        sa.CheckConstraint("status IN ('open', 'accepted', 'declined', 'blocked')", name="status"),
        sa.CheckConstraint(
            "part_of_day IS NULL OR part_of_day IN ('morning', 'afternoon')", name="part_of_day"
        ),
    )
    op.create_index("ix_forum_requests_b", "forum_requests", ["session_id", "b_registration_id"])


def downgrade():
    op.drop_index("ix_forum_requests_b", table_name="forum_requests")
    op.drop_table("forum_requests")
    with op.batch_alter_table("matching_sessions") as batch:
        batch.drop_constraint("kind", type_="check")
        batch.drop_column("kind")
