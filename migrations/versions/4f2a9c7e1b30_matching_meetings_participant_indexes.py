"""matching: index meetings by buyer and producer registration

Revision ID: 4f2a9c7e1b30
Revises: 9de7792fd1f0
Create Date: 2026-12-05 01:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '4f2a9c7e1b30'
down_revision = '9de7792fd1f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_buyer_registration_id'), ['buyer_registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_producer_registration_id'), ['producer_registration_id'], unique=False)


def downgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_producer_registration_id'))
        batch_op.drop_index(batch_op.f('ix_meetings_buyer_registration_id'))
