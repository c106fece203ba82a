"""tickets: category, priority and sharing of a ticket; ticket_attachment

Revision ID: f2c7d4a9b1e3
Revises: f7c2a9d4e1b3
Create Date: 2026-12-01 00:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f2c7d4a9b1e3'
down_revision = 'f7c2a9d4e1b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('priority', sa.Enum('low', 'normal', 'high', name='ticketpriority',
                                                          native_enum=False, length=10),
                                      server_default='normal', nullable=False))
        batch_op.add_column(sa.Column('shared', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table(
        'ticket_attachment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=False),
        sa.Column('filename', sa.String(length=120), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['ticket_message.id'],
                                name=op.f('fk_ticket_attachment_message_id_ticket_message'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'],
                                name=op.f('fk_ticket_attachment_ticket_id_ticket'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_attachment')),
    )
    with op.batch_alter_table('ticket_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_attachment_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_attachment_ticket_id'), ['ticket_id'], unique=False)


def downgrade():
    with op.batch_alter_table('ticket_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_attachment_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_attachment_message_id'))
    op.drop_table('ticket_attachment')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('shared')
        batch_op.drop_column('priority')
        batch_op.drop_column('category')
