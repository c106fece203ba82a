"""invoices: Pay Now payment requests (bank transfer, Stripe Checkout) and the invoices they cover

Revision ID: f7c2a9d4e1b3
Revises: e5a9c3f1d7b2
Create Date: 2026-11-30 23:23:09

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f7c2a9d4e1b3'
down_revision = 'e5a9c3f1d7b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payment_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=30), nullable=False),
    sa.Column('status', sa.Enum('pending', 'paid', 'cancelled', 'expired', name='paymentrequeststatus', native_enum=False, length=20), nullable=False),
    sa.Column('total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('acting_rep_id', sa.Integer(), nullable=True),
    sa.Column('provider_session_id', sa.String(length=255), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_dt', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['acting_rep_id'], ['user.id'], name=op.f('fk_payment_request_acting_rep_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_payment_request_company_id_company')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_payment_request_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_request')),
    sa.UniqueConstraint('reference', name=op.f('uq_payment_request_reference'))
    )
    with op.batch_alter_table('payment_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_request_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_request_provider_session_id'), ['provider_session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_request_status'), ['status'], unique=False)

    op.create_table('payment_request_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_payment_request_item_invoice_id_invoice')),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_payment_request_item_payment_id_payment'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['payment_request.id'], name=op.f('fk_payment_request_item_request_id_payment_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_request_item'))
    )
    with op.batch_alter_table('payment_request_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_request_item_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_request_item_request_id'), ['request_id'], unique=False)



def downgrade():
    with op.batch_alter_table('payment_request_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_request_item_request_id'))
        batch_op.drop_index(batch_op.f('ix_payment_request_item_invoice_id'))

    op.drop_table('payment_request_item')
    with op.batch_alter_table('payment_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_request_status'))
        batch_op.drop_index(batch_op.f('ix_payment_request_provider_session_id'))
        batch_op.drop_index(batch_op.f('ix_payment_request_company_id'))

    op.drop_table('payment_request')
