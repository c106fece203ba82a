"""order_charge: extra charges staff add to an order, approved or rejected by the customer;
company.show_charges_on_portal

Revision ID: 7b1474ca032f
Revises: 365eb24f5d4b
Create Date: 2026-12-01 05:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7b1474ca032f'
down_revision = '365eb24f5d4b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.add_column(sa.Column('show_charges_on_portal', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_table(
        'order_charge',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('freight', 'surcharge', 'waiting_time', 'other', name='chargekind',
                                  native_enum=False, length=16), nullable=False),
        sa.Column('description', sa.String(length=255), nullable=False),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('tax_rate', sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column('total', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('status', sa.Enum('proposed', 'approved', 'rejected', 'invoiced', name='chargestatus',
                                    native_enum=False, length=16), nullable=False),
        sa.Column('customer_comment', sa.Text(), server_default='', nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_dt', sa.DateTime(timezone=True), nullable=True),
        sa.Column('invoice_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_order_charge_created_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_order_charge_decided_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_order_charge_invoice_id_invoice'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], name=op.f('fk_order_charge_order_id_sales_order'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_order_charge')),
    )
    with op.batch_alter_table('order_charge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_charge_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_charge_invoice_id'), ['invoice_id'], unique=False)


def downgrade():
    with op.batch_alter_table('order_charge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_charge_invoice_id'))
        batch_op.drop_index(batch_op.f('ix_order_charge_order_id'))
    op.drop_table('order_charge')
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_column('show_charges_on_portal')
