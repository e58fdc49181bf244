"""Lead capture: leads scanned at the booths and each registration's lead-sharing consent

Revision ID: c4e8a1f2d6b3
Revises: b7d3e9a4c215
"""

import sqlalchemy as sa
from alembic import op

revision = "c4e8a1f2d6b3"
down_revision = "b7d3e9a4c215"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lead_sharing", sa.String(length=10), server_default="basic", nullable=False)
        )
        batch_op.create_check_constraint("lead_sharing", "lead_sharing IN ('basic', 'contact')")
    op.create_table(
        "onsite_leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("exhibitor_registration_id", sa.Integer(), nullable=False),
        sa.Column("visitor_registration_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_onsite_leads_rating")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_onsite_leads_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["exhibitor_registration_id"],
            ["registrations.id"],
            name=op.f("fk_onsite_leads_exhibitor_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visitor_registration_id"],
            ["registrations.id"],
            name=op.f("fk_onsite_leads_visitor_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_onsite_leads_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onsite_leads")),
        sa.UniqueConstraint("nonce", name=op.f("uq_onsite_leads_nonce")),
    )
    with op.batch_alter_table("onsite_leads", schema=None) as batch_op:
        batch_op.create_index("ix_onsite_leads_event_id", ["event_id"], unique=False)
        batch_op.create_index(
            "ix_onsite_leads_visitor_registration_id", ["visitor_registration_id"], unique=False
        )
        batch_op.create_index(
            "ix_onsite_leads_exhibitor_scanned", ["exhibitor_registration_id", "scanned_at"], unique=False
        )


def downgrade():
    op.drop_table("onsite_leads")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_constraint("lead_sharing", type_="check")
        batch_op.drop_column("lead_sharing")
