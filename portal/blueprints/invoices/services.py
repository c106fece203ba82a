"""Which invoices a customer sees, how the list filters, and what is still owed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, case, func, select

from portal.extensions import db
from portal.models import CreditNote, CreditNoteStatus, Invoice, InvoiceStatus

#: drafts are the business's work in progress, never shown to the customer
HIDDEN_INVOICE = (InvoiceStatus.draft,)
OPEN_INVOICE = (InvoiceStatus.open, InvoiceStatus.partially_paid)
HIDDEN_CREDIT_NOTE = (CreditNoteStatus.draft,)

#: filter key -> label, in the order the tabs show them
INVOICE_FILTERS = {"all": "All", "open": "Open", "overdue": "Overdue", "paid": "Paid"}

CENT = Decimal("0.01")


def visible_invoices(query: Select) -> Select:
    """Invoices the customer may see (issued ones); `query` selects Invoice."""
    return query.where(Invoice.status.not_in(HIDDEN_INVOICE))


def visible_credit_notes(query: Select) -> Select:
    return query.where(CreditNote.status.not_in(HIDDEN_CREDIT_NOTE))


def filter_invoices(query: Select, status: str, search: str, today: date) -> Select:
    """Apply a tab of INVOICE_FILTERS (unknown means all) and a number search, newest first."""
    query = visible_invoices(query)
    if status == "open":
        query = query.where(Invoice.status.in_(OPEN_INVOICE))
    elif status == "overdue":
        query = query.where(Invoice.status.in_(OPEN_INVOICE), Invoice.due_date < today)
    elif status == "paid":
        query = query.where(Invoice.status == InvoiceStatus.paid)
    if search:
        query = query.where(Invoice.number.icontains(search.strip(), autoescape=True))
    return query.order_by(Invoice.issue_date.desc(), Invoice.id.desc())


@dataclass(frozen=True)
class Outstanding:
    """What a company still owes in one currency."""

    currency: str
    open_total: Decimal
    open_count: int
    overdue_total: Decimal
    overdue_count: int


def outstanding(invoices: Select, today: date) -> list[Outstanding]:
    """Open and overdue balances per currency of the invoices `invoices` selects.

    `invoices` must already be scoped to one company (scoped(select(Invoice), Invoice)).
    """
    rows = visible_invoices(invoices).where(Invoice.status.in_(OPEN_INVOICE)).subquery()
    balance = rows.c.total - rows.c.amount_paid
    late = rows.c.due_date < today
    result = db.session.execute(
        select(rows.c.currency, func.sum(balance), func.count(),
               func.sum(case((late, balance), else_=0)), func.count(case((late, 1))))
        .group_by(rows.c.currency).order_by(rows.c.currency)
    ).all()
    return [Outstanding(currency, _money(open_total), open_count, _money(overdue_total), overdue_count)
            for currency, open_total, open_count, overdue_total, overdue_count in result]


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)
