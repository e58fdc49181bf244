"""Booth payments: when a payment was confirmed or waived, and by whom

Revision ID: c3a9e1f70b52
Revises: b8e2f4a61c07
"""

import sqlalchemy as sa
from alembic import op

revision = "c3a9e1f70b52"
down_revision = "b8e2f4a61c07"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("booth_assignments") as batch_op:
        batch_op.add_column(sa.Column("payment_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("payment_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_booth_assignments_payment_by_id_users"),
            "users",
            ["payment_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("booth_assignments") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_booth_assignments_payment_by_id_users"), type_="foreignkey")
        batch_op.drop_column("payment_by_id")
        batch_op.drop_column("payment_at")
