"""What customers owe: which invoices they see, which are open or overdue, what each still owes,
and a company's outstanding total after credit notes.

The one owner of these states: the invoice pages, the dashboard, the back-office filters and
home counts, payments and credit notes import them from here. "Overdue" reads portal.services.clock.

- Drafts are the business's work in progress: never shown to the customer, never owed.
- Void invoices stay visible (the customer may have received them, marked void) but are not owed.
- Open (open or partially paid) invoices are owed; overdue ones are open past their due date.
- The balance due of an invoice is its total less payments and counting credit notes against it
  (Invoice.balance_due; payments and credit_notes keep amount_paid and amount_credited).
- An issued or applied credit note without an invoice is company credit: it reduces what the
  company owes in its currency, the most overdue money first. Drafts and void notes count for nothing.
- Ageing sorts what is open today by days past the due date (AGEING_BUCKETS); due today is current.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import ColumnElement, Select, case, func, select

from portal.extensions import db
from portal.i18n import N_
from portal.models import Company, CreditNote, CreditNoteStatus, Invoice, InvoiceStatus
from portal.services import clock

#: never shown to the customer
HIDDEN_INVOICE = (InvoiceStatus.draft,)
#: owed, in full or in part
OPEN_INVOICE = (InvoiceStatus.open, InvoiceStatus.partially_paid)
#: invoices that bill the customer: what an order has been invoiced for
ISSUED_INVOICE = (*OPEN_INVOICE, InvoiceStatus.paid)
#: set by staff by hand; payments and credit notes never change them
MANUAL_INVOICE = (InvoiceStatus.draft, InvoiceStatus.void)
#: never shown to the customer
HIDDEN_CREDIT_NOTE = (CreditNoteStatus.draft,)
#: credit notes that reduce what is owed
COUNTING_CREDIT = (CreditNoteStatus.issued, CreditNoteStatus.applied)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


# --- one invoice -----------------------------------------------------------------------------------

def is_open(invoice: Invoice) -> bool:
    return invoice.status in OPEN_INVOICE


def is_overdue(invoice: Invoice, today: date | None = None) -> bool:
    """Open and past its due date (the day after the due date it is overdue)."""
    return is_open(invoice) and invoice.due_date is not None and invoice.due_date < (today or clock.today())


def settled(invoice: Invoice) -> Decimal:
    """What payments and credit notes have covered of the invoice."""
    return (invoice.amount_paid or ZERO) + (invoice.amount_credited or ZERO)


def settlement_status(invoice: Invoice) -> InvoiceStatus | None:
    """Open / partially paid / paid from what payments and credit notes cover; None for draft and void
    (staff set those by hand)."""
    if invoice.status in MANUAL_INVOICE:
        return None
    covered = settled(invoice)
    if covered > 0 and covered >= (invoice.total or ZERO):
        return InvoiceStatus.paid
    return InvoiceStatus.partially_paid if covered > 0 else InvoiceStatus.open


def settle(invoice: Invoice) -> None:
    """Set the status from what payments and credit notes cover (draft and void stay)."""
    status = settlement_status(invoice)
    if status is not None:
        invoice.status = status


def credit_of(note: CreditNote) -> Decimal:
    """What a credit note takes off: its total when issued or applied, nothing as draft or void."""
    return (note.total or ZERO) if note.status in COUNTING_CREDIT else ZERO


# --- the same states in queries --------------------------------------------------------------------

def open_clause() -> ColumnElement[bool]:
    return Invoice.status.in_(OPEN_INVOICE)


def overdue_clause(today: date | None = None) -> ColumnElement[bool]:
    return open_clause() & (Invoice.due_date < (today or clock.today()))


def visible_invoices(query: Select) -> Select:
    """Invoices the customer may see; `query` selects Invoice."""
    return query.where(Invoice.status.not_in(HIDDEN_INVOICE))


def visible_credit_notes(query: Select) -> Select:
    """Credit notes the customer may see; `query` selects CreditNote."""
    return query.where(CreditNote.status.not_in(HIDDEN_CREDIT_NOTE))


# --- a company's figures -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outstanding:
    """What a company still owes in one currency, after its company credit."""

    currency: str
    open_total: Decimal
    open_count: int
    overdue_total: Decimal
    overdue_count: int
    #: company credit (credit notes without an invoice) taken off the totals above
    credit: Decimal = ZERO


def company_credit(company: Company) -> dict[str, Decimal]:
    """Issued credit notes without an invoice, per currency."""
    rows = db.session.execute(
        select(CreditNote.currency, func.sum(CreditNote.total))
        .where(CreditNote.company_id == company.id, CreditNote.invoice_id.is_(None),
               CreditNote.status.in_(COUNTING_CREDIT))
        .group_by(CreditNote.currency)
    ).all()
    return {currency: _money(total) for currency, total in rows}


def outstanding(company: Company, today: date | None = None) -> list[Outstanding]:
    """Open and overdue balances per currency (currencies with open invoices), company credit taken off."""
    today = today or clock.today()
    balance, late = Invoice.balance_due, Invoice.due_date < today
    rows = db.session.execute(
        select(Invoice.currency, func.sum(balance), func.count(), func.sum(case((late, balance), else_=0)),
               func.count(case((late, 1))))
        .where(Invoice.company_id == company.id, open_clause())
        .group_by(Invoice.currency).order_by(Invoice.currency)
    ).all()
    credit = company_credit(company) if rows else {}
    result = []
    for currency, open_total, open_count, overdue_total, overdue_count in rows:
        open_total, overdue_total = _money(open_total), _money(overdue_total)
        used = min(credit.get(currency, ZERO), open_total)
        result.append(Outstanding(currency, open_total - used, open_count, max(overdue_total - used, ZERO),
                                  overdue_count, used))
    return result


def outstanding_total(company: Company) -> Decimal:
    """What the company owes in its own currency, after credit notes (the figure its credit limit is in)."""
    return next((o.open_total for o in outstanding(company) if o.currency == company.currency), ZERO)


def open_invoice_count(company: Company) -> int:
    return db.session.execute(
        select(func.count(Invoice.id)).where(Invoice.company_id == company.id, open_clause())).scalar_one()


def overdue_invoice_count(company: Company, today: date | None = None) -> int:
    return db.session.execute(
        select(func.count(Invoice.id)).where(Invoice.company_id == company.id, overdue_clause(today))).scalar_one()


def recent_invoices(company: Company, limit: int = 5) -> list[Invoice]:
    """The company's newest invoices the customer may see."""
    query = visible_invoices(select(Invoice).where(Invoice.company_id == company.id))
    return list(db.session.execute(
        query.order_by(Invoice.issue_date.desc(), Invoice.id.desc()).limit(limit)).scalars())


# --- ageing: what is open today, by days past the due date --------------------------------------------

#: (key, label, most days overdue it holds; None: no upper end), least overdue first
AGEING_BUCKETS = (("current", N_("Current"), 0), ("1-30", N_("1–30 days"), 30), ("31-60", N_("31–60 days"), 60),
                  ("61-90", N_("61–90 days"), 90), ("90+", N_("Over 90 days"), None))


@dataclass(frozen=True)
class Ageing:
    """What a company owes in one currency today, per AGEING_BUCKETS (amounts in the same order), after
    its company credit, which is taken off the most overdue money first (as in outstanding())."""

    currency: str
    amounts: tuple[Decimal, ...]
    #: company credit taken off the buckets
    credit: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, ZERO)

    @property
    def overdue(self) -> Decimal:
        return sum(self.amounts[1:], ZERO)

    def rows(self) -> list[tuple[str, str, Decimal]]:
        """(key, label, amount) per bucket, least overdue first."""
        return [(key, gettext(label), amount)
                for (key, label, _), amount in zip(AGEING_BUCKETS, self.amounts, strict=True)]

    @classmethod
    def nothing(cls, currency: str) -> Ageing:
        return cls(currency, tuple(ZERO for _ in AGEING_BUCKETS))


def ageing_bucket(days_overdue: int) -> str:
    """The AGEING_BUCKETS key for an invoice this many days past its due date (0 or less: current)."""
    return next(key for key, _, most in AGEING_BUCKETS if most is None or days_overdue <= most)


def ageing(company: Company, today: date | None = None) -> list[Ageing]:
    """Open balances per currency (currencies with open invoices) by days past the due date, company
    credit taken off the most overdue first: each total is outstanding()'s open total."""
    today = today or clock.today()
    balance = Invoice.balance_due
    sums, earlier = [], None
    for _, _, most in AGEING_BUCKETS:  # due on or after `today - most` and before the previous bound
        since = Invoice.due_date >= today - timedelta(days=most) if most is not None else None
        condition = since if earlier is None else (~earlier if since is None else since & ~earlier)
        sums.append(func.sum(case((condition, balance), else_=0)))
        earlier = since
    rows = db.session.execute(
        select(Invoice.currency, *sums).where(Invoice.company_id == company.id, open_clause())
        .group_by(Invoice.currency).order_by(Invoice.currency)
    ).all()
    credit = company_credit(company) if rows else {}
    result = []
    for currency, *amounts in rows:
        amounts = [_money(a) for a in amounts]
        left = available = min(credit.get(currency, ZERO), sum(amounts, ZERO))
        for i in reversed(range(len(amounts))):
            used = min(left, amounts[i])
            amounts[i] -= used
            left -= used
        result.append(Ageing(currency, tuple(amounts), available))
    return result


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)
