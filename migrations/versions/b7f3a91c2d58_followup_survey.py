"""The follow-up survey after a fair: settings, invitations, answers and the meetings' reasons

Revision ID: b7f3a91c2d58
Revises: 5e7a9c3d1b42
"""

import sqlalchemy as sa
from alembic import op

revision = "b7f3a91c2d58"
down_revision = "5e7a9c3d1b42"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "followup_settings",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("first_wave_days", sa.Integer(), nullable=False),
        sa.Column("second_wave_days", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "first_wave_days >= 1 AND second_wave_days > first_wave_days",
            name=op.f("ck_followup_settings_waves_order"),
        ),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_table(
        "followup_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("wave IN (1, 2)", name=op.f("ck_followup_invitations_wave")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("registration_id", "wave", name="uq_followup_invitations_wave"),
    )
    op.create_index(op.f("ix_followup_invitations_event_id"), "followup_invitations", ["event_id"])
    op.create_table(
        "followup_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=9), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=False),
        sa.Column("value_vnd", sa.BigInteger(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("why_json", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "result IN ('contract', 'order', 'talks', 'nothing')", name=op.f("ck_followup_answers_result")
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_followup_answers_rating")),
        sa.CheckConstraint("value_vnd IS NULL OR value_vnd >= 0", name=op.f("ck_followup_answers_value")),
        sa.ForeignKeyConstraint(["invitation_id"], ["followup_invitations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["answered_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("invitation_id", "meeting_id", name="uq_followup_answers_meeting"),
    )
    op.create_index(op.f("ix_followup_answers_invitation_id"), "followup_answers", ["invitation_id"])
    op.create_index(op.f("ix_followup_answers_meeting_id"), "followup_answers", ["meeting_id"])
    op.create_table(
        "followup_meeting_reasons",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("meeting_id", "term"),
    )


def downgrade():
    op.drop_table("followup_meeting_reasons")
    op.drop_index(op.f("ix_followup_answers_meeting_id"), table_name="followup_answers")
    op.drop_index(op.f("ix_followup_answers_invitation_id"), table_name="followup_answers")
    op.drop_table("followup_answers")
    op.drop_index(op.f("ix_followup_invitations_event_id"), table_name="followup_invitations")
    op.drop_table("followup_invitations")
    op.drop_table("followup_settings")
