"""citizen records version

Revision ID: 0007_records_version
Revises: 0006_handoff
Create Date: 2026-11-24 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_records_version'
down_revision = '0006_handoff'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('citizen', schema=None) as batch_op:
        batch_op.add_column(sa.Column('records_version', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('citizen', schema=None) as batch_op:
        batch_op.drop_column('records_version')
