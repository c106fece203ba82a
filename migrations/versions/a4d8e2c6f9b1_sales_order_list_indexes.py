"""sales_order: indexes for My Orders (company + placed, + status, + total, + number), replacing (company_id)

Revision ID: a4d8e2c6f9b1
Revises: b8e4f1c6d2a7
Create Date: 2026-12-01 03:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a4d8e2c6f9b1'
down_revision = 'b8e4f1c6d2a7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.create_index('ix_sales_order_company_placed', ['company_id', 'placed_dt', 'id'], unique=False)
        batch_op.create_index('ix_sales_order_company_status_placed', ['company_id', 'status', 'placed_dt', 'id'],
                              unique=False)
        batch_op.create_index('ix_sales_order_company_total', ['company_id', 'total', 'id'], unique=False)
        batch_op.create_index('ix_sales_order_company_number', ['company_id', 'number'], unique=False)
        batch_op.drop_index('ix_sales_order_company_id')


def downgrade():
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.create_index('ix_sales_order_company_id', ['company_id'], unique=False)
        batch_op.drop_index('ix_sales_order_company_number')
        batch_op.drop_index('ix_sales_order_company_total')
        batch_op.drop_index('ix_sales_order_company_status_placed')
        batch_op.drop_index('ix_sales_order_company_placed')
