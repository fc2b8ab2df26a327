"""handoff tickets

Revision ID: 0006_handoff
Revises: 0005_transit
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_handoff'
down_revision = '0005_transit'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('handoff_ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.String(length=160), nullable=False),
    sa.Column('open_sender_id', sa.String(length=160), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('transcript', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen.id'], name=op.f('fk_handoff_ticket_citizen_id_citizen')),
    sa.ForeignKeyConstraint(['operator_id'], ['citizen.id'], name=op.f('fk_handoff_ticket_operator_id_citizen')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_ticket')),
    sa.UniqueConstraint('number', name=op.f('uq_handoff_ticket_number')),
    sa.UniqueConstraint('open_sender_id', name=op.f('uq_handoff_ticket_open_sender_id'))
    )
    with op.batch_alter_table('handoff_ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoff_ticket_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handoff_ticket_sender_id'), ['sender_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handoff_ticket_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('handoff_ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_ticket_status'))
        batch_op.drop_index(batch_op.f('ix_handoff_ticket_sender_id'))
        batch_op.drop_index(batch_op.f('ix_handoff_ticket_citizen_id'))

    op.drop_table('handoff_ticket')
