"""trust: attempt budgets and one-time phone codes

Revision ID: 0008_trust
Revises: 0007_records_version
Create Date: 2026-12-01 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_trust'
down_revision = '0007_records_version'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attempt_budget',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_attempt_budget')),
    )
    with op.batch_alter_table('attempt_budget', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_budget_expires_at'), ['expires_at'],
                              unique=False)
    op.create_table(
        'phone_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('citizen_id', sa.Integer(), nullable=False),
        sa.Column('phone', sa.String(length=11), nullable=False),
        sa.Column('code_digest', sa.String(length=64), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], ondelete='CASCADE',
                                name=op.f('fk_phone_code_citizen_id_citizen')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_code')),
    )
    with op.batch_alter_table('phone_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_code_citizen_id'), ['citizen_id'],
                              unique=False)


def downgrade():
    op.drop_table('phone_code')
    op.drop_table('attempt_budget')
