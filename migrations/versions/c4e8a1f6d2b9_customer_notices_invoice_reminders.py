"""customer emails: customer_notice (one email per event), invoice_reminder (one reminder per day)

Revision ID: c4e8a1f6d2b9
Revises: a4d8e2c6f9b1
Create Date: 2026-12-01 03:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e8a1f6d2b9'
down_revision = 'a4d8e2c6f9b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'customer_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_key', sa.String(length=120), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_notice')),
        sa.UniqueConstraint('event_key', name=op.f('uq_customer_notice_event_key')),
    )
    op.create_table(
        'invoice_reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_invoice_reminder_invoice_id_invoice'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_reminder')),
        sa.UniqueConstraint('invoice_id', 'kind', 'sent_on', name=op.f('uq_invoice_reminder_invoice_id_kind_sent_on')),
    )
    with op.batch_alter_table('invoice_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_reminder_invoice_id'), ['invoice_id'], unique=False)


def downgrade():
    with op.batch_alter_table('invoice_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_reminder_invoice_id'))
    op.drop_table('invoice_reminder')
    op.drop_table('customer_notice')
