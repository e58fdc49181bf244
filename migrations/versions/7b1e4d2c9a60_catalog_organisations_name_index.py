"""catalog: index organisations by name

Revision ID: 7b1e4d2c9a60
Revises: 1f3c7a9e5b21
Create Date: 2026-12-05 02:30:00.000000

Lists of organisations come in the order of their names: a national fair's 8,000 exhibitors
on its public page, a page at a time, and the directory. Without an index every page sorted
all of them; with (name, id) the first pages read only the rows they show.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7b1e4d2c9a60'
down_revision = '1f3c7a9e5b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index('ix_organisations_name', ['name', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index('ix_organisations_name')
