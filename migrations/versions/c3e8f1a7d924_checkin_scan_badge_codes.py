"""Check-in scans hold badge codes (up to 41 characters): the code column widened to 64

Revision ID: c3e8f1a7d924
Revises: c4e8a1f2d6b3
"""

import sqlalchemy as sa
from alembic import op

revision = "c3e8f1a7d924"
down_revision = "c4e8a1f2d6b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("onsite_checkin_scans") as batch:
        batch.alter_column("code", existing_type=sa.String(length=32), type_=sa.String(length=64))


def downgrade():
    # Badge codes (up to 41 characters) are cut to the old width; PostgreSQL refuses it otherwise.
    op.execute("UPDATE onsite_checkin_scans SET code = substr(code, 1, 32) WHERE length(code) > 32")
    with op.batch_alter_table("onsite_checkin_scans") as batch:
        batch.alter_column("code", existing_type=sa.String(length=64), type_=sa.String(length=32))
