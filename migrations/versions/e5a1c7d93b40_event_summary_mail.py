"""Organisers can turn off an event's summary mail

Revision ID: e5a1c7d93b40
Revises: 4c2e8b1d7f35
"""

import sqlalchemy as sa
from alembic import op

revision = "e5a1c7d93b40"
down_revision = "4c2e8b1d7f35"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event_organisers") as batch:
        batch.add_column(sa.Column("summary_mail", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table("event_organisers") as batch:
        batch.drop_column("summary_mail")
