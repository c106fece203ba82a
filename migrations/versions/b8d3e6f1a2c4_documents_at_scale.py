"""documents at scale: company_figures (lifetime orders and sales), indexes for the document lists and
the dashboard's open documents, receipts, credit notes and the supplier's lists

Revision ID: b8d3e6f1a2c4
Revises: a4d8e2f6c1b9
Create Date: 2026-12-01 03:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b8d3e6f1a2c4'
down_revision = 'a4d8e2f6c1b9'
branch_labels = None
depends_on = None

INDEXES = (
    ('quote', 'ix_quote_company_created', ['company_id', 'created_dt', 'id']),
    ('invoice', 'ix_invoice_company_issued', ['company_id', 'issue_date', 'id']),
    ('invoice', 'ix_invoice_company_status_due', ['company_id', 'status', 'due_date']),
    ('invoice', 'ix_invoice_order', ['order_id']),
    ('shipment', 'ix_shipment_company_created', ['company_id', 'created_dt', 'id']),
    ('payment', 'ix_payment_company_received', ['company_id', 'received_date', 'id']),
    ('credit_note', 'ix_credit_note_company_issued', ['company_id', 'issue_date', 'id']),
    ('purchase_order', 'ix_purchase_order_company_date', ['company_id', 'order_date', 'id']),
    ('supplier_bill', 'ix_supplier_bill_company_date', ['company_id', 'bill_date', 'id']),
)


def upgrade():
    op.create_table(
        'company_figures',
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('orders_count', sa.Integer(), nullable=False),
        sa.Column('sales_total', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_company_figures_company_id_company'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('company_id', 'currency', name=op.f('pk_company_figures')),
    )
    # the figures of the orders already there (portal.services.company_figures.NOT_SALES)
    op.execute("INSERT INTO company_figures (company_id, currency, orders_count, sales_total) "
               "SELECT company_id, currency, COUNT(*), COALESCE(SUM(total), 0) FROM sales_order "
               "WHERE status NOT IN ('cancelled', 'rejected') GROUP BY company_id, currency")
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table('company_figures')
