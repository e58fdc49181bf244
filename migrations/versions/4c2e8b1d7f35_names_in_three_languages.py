"""names in three languages: matchmaking sessions, their tables, halls

Revision ID: 4c2e8b1d7f35
Revises: 3c9d2e7f4a10
Create Date: 2026-12-05 22:00:00.000000

Session, table and hall names were Vietnamese only; English and French versions are
optional and shown to readers of those languages (then English, then Vietnamese).
Booth types already had theirs.
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "4c2e8b1d7f35"
down_revision = "3c9d2e7f4a10"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("matching_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_en", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("name_fr", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("table_names_en", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("table_names_fr", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_en", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("name_fr", sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.drop_column("name_fr")
        batch_op.drop_column("name_en")
    with op.batch_alter_table("matching_sessions", schema=None) as batch_op:
        batch_op.drop_column("table_names_fr")
        batch_op.drop_column("table_names_en")
        batch_op.drop_column("name_fr")
        batch_op.drop_column("name_en")
