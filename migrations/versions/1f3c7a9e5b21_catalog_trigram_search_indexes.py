"""catalog: trigram search indexes (PostgreSQL)

Revision ID: 1f3c7a9e5b21
Revises: 4f2a9c7e1b30
Create Date: 2026-12-05 01:30:00.000000

The catalogue's search is `search_text LIKE '%word%'`; on PostgreSQL a GIN index of its
trigrams (pg_trgm) answers it without reading the whole table. SQLite keeps its LIKE:
this migration does nothing there.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '1f3c7a9e5b21'
down_revision = '4f2a9c7e1b30'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_products_search_text_trgm', 'products'),
    ('ix_organisations_search_text_trgm', 'organisations'),
)


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for name, table in INDEXES:
        op.create_index(
            name,
            table,
            ['search_text'],
            unique=False,
            postgresql_using='gin',
            postgresql_ops={'search_text': 'gin_trgm_ops'},
        )


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, table in INDEXES:
        op.drop_index(name, table_name=table)
    # pg_trgm stays: other objects of the database may use it.
