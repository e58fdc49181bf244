"""catalog: OCOP certificates checked by an organiser, and GS1 GTIN-13 barcodes

Revision ID: c3e8a1f05b72
Revises: 7b1e4d2c9a60
Create Date: 2026-12-05 22:00:00.000000

Stars used to be self-declared. A product's certificate (number, level, scanned file) now
waits in a queue until an organiser or admin verifies it; only verified certificates put a
product in the public catalogue. Products that exist already were declared with their
certificate's date and stars: they leave the catalogue until checked, and wait in the
organisers' queue ("pending", oldest first) to be checked against the province's list of
certified products, without their producer having to upload anything first; a product created
from now on starts "missing".
"""
import sqlalchemy as sa
from alembic import op

import app.database


# revision identifiers, used by Alembic.
revision = 'c3e8a1f05b72'
down_revision = '7b1e4d2c9a60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gtin', sa.String(length=13), nullable=True))
        batch_op.add_column(sa.Column('certificate_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('certificate_level', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('certificate_file', sa.String(length=80), nullable=True))
        batch_op.add_column(
            sa.Column('certificate_status', sa.String(length=10), server_default='missing', nullable=False)
        )
        batch_op.add_column(sa.Column('certificate_submitted_at', app.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('certificate_reviewed_at', app.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('certificate_reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('certificate_rejection_reason', sa.Text(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_products_gtin'), ['gtin'])
        batch_op.create_foreign_key(
            batch_op.f('fk_products_certificate_reviewed_by_id_users'),
            'users',
            ['certificate_reviewed_by_id'],
            ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_check_constraint(
            op.f('ck_products_certificate_status'), "certificate_status IN ('missing', 'pending', 'verified', 'rejected')"
        )
        batch_op.create_check_constraint(
            op.f('ck_products_certificate_level'), "certificate_level IS NULL OR certificate_level IN ('province', 'national')"
        )
        batch_op.create_index(
            'ix_products_certificate_queue',
            ['certificate_submitted_at', 'id'],
            unique=False,
            postgresql_where=sa.text("certificate_status = 'pending'"),
            sqlite_where=sa.text("certificate_status = 'pending'"),
        )


    op.execute(
        "UPDATE products SET certificate_status = 'pending', certificate_submitted_at = updated_at"
    )


def downgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_certificate_queue')
        batch_op.drop_constraint(op.f('ck_products_certificate_level'), type_='check')
        batch_op.drop_constraint(op.f('ck_products_certificate_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_products_certificate_reviewed_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_products_gtin'), type_='unique')
        for column in (
            'certificate_rejection_reason',
            'certificate_reviewed_by_id',
            'certificate_reviewed_at',
            'certificate_submitted_at',
            'certificate_status',
            'certificate_file',
            'certificate_level',
            'certificate_number',
            'gtin',
        ):
            batch_op.drop_column(column)
