"""invoice amount credited: credit notes reduce the balance due

Revision ID: 3c51d7e0a2b4
Revises: fcbc61508e59
Create Date: 2026-12-02 10:12:00.000000

"""
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3c51d7e0a2b4'
down_revision = 'fcbc61508e59'
branch_labels = None
depends_on = None

#: credit notes that count (portal.services.receivables.COUNTING_CREDIT, as of this revision)
COUNTING = ('issued', 'applied')
OPEN = ('open', 'partially_paid')


def upgrade():
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amount_credited', sa.Numeric(precision=14, scale=2), server_default='0',
                                      nullable=False))
    _credit_existing_notes()


def _invoice_table():
    return sa.table('invoice', sa.column('id', sa.Integer), sa.column('status', sa.String),
                    sa.column('total', sa.Numeric(14, 2)), sa.column('amount_paid', sa.Numeric(14, 2)),
                    sa.column('amount_credited', sa.Numeric(14, 2)))


def _credit_existing_notes():
    """Existing issued credit notes now reduce their invoice's balance (never below zero); an open
    invoice they fully cover becomes paid, one they partly cover partially paid."""
    bind = op.get_bind()
    invoice = _invoice_table()
    note = sa.table('credit_note', sa.column('invoice_id', sa.Integer), sa.column('status', sa.String),
                    sa.column('total', sa.Numeric(14, 2)))
    credited = (sa.select(note.c.invoice_id, sa.func.sum(note.c.total).label('credited'))
                .where(note.c.invoice_id.is_not(None), note.c.status.in_(COUNTING))
                .group_by(note.c.invoice_id).subquery())
    rows = bind.execute(sa.select(invoice.c.id, invoice.c.status, invoice.c.total, invoice.c.amount_paid,
                                  credited.c.credited).join(credited, credited.c.invoice_id == invoice.c.id)).all()
    for invoice_id, status, total, paid, credit in rows:
        total, paid = Decimal(str(total or 0)), Decimal(str(paid or 0))
        amount = min(Decimal(str(credit or 0)), max(total - paid, Decimal(0)))
        values = {'amount_credited': amount}
        if status in OPEN and paid + amount > 0:
            values['status'] = 'paid' if paid + amount >= total else 'partially_paid'
        bind.execute(invoice.update().where(invoice.c.id == invoice_id).values(**values))


def downgrade():
    _status_from_payments_only()
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_column('amount_credited')


def _status_from_payments_only():
    """Before this revision the status followed payments alone."""
    bind = op.get_bind()
    invoice = _invoice_table()
    rows = bind.execute(sa.select(invoice.c.id, invoice.c.total, invoice.c.amount_paid).where(
        invoice.c.amount_credited > 0, invoice.c.status.in_(('paid', 'partially_paid')))).all()
    for invoice_id, total, paid in rows:
        total, paid = Decimal(str(total or 0)), Decimal(str(paid or 0))
        status = 'paid' if paid > 0 and paid >= total else 'partially_paid' if paid > 0 else 'open'
        bind.execute(invoice.update().where(invoice.c.id == invoice_id).values(status=status))
