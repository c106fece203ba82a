"""A company's statement of account: for a date range, the opening balance, every invoice (debit),
credit note and payment (credit) in date order with a running balance, the closing balance, and the
ageing of what is open today.

The rules (the page, the PDF and the CSV all show what statement_for() returns):
- One ledger per currency: the company's own currency always, another when it has a document in it
  up to the end of the range or money open in it today. Amounts are never converted.
- Invoices the customer was billed count (receivables.ISSUED_INVOICE: open, partially paid, paid);
  drafts were never sent and void invoices are not owed, so neither appears.
- Credit notes that reduce what is owed count (receivables.COUNTING_CREDIT), with or without an
  invoice; drafts and void notes do not.
- Every payment received counts, for an invoice or on account.
- The opening balance is everything dated before the range; entries on the same day are listed
  invoices first, then credit notes, then payments.
- Ageing is receivables.ageing() as of today (not the end of the range): what is open now.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import func, select

from portal.extensions import db
from portal.i18n import N_
from portal.models import Company, CreditNote, Invoice, Payment
from portal.money import day as day_text
from portal.services import clock, pdf, receivables
from portal.services.errors import RuleError
from portal.services.receipts import payment_method_word

#: the longest range a statement covers
MAX_YEARS = 5
ZERO = Decimal("0.00")
#: the order of entries on the same day
KIND_ORDER = {"invoice": 0, "credit_note": 1, "payment": 2}
KIND_LABELS = {"invoice": N_("Invoice"), "credit_note": N_("Credit note"), "payment": N_("Payment")}


class StatementRangeError(RuleError):
    """The date range was refused; the message is for the customer, `field` is "from" or "to"."""

    default_field = "from"


@dataclass(frozen=True)
class Entry:
    """One line of the ledger: a debit (invoice) or a credit (credit note, payment)."""

    date: date
    kind: str
    number: str
    description: str
    debit: Decimal
    credit: Decimal
    #: the balance after this entry
    balance: Decimal
    #: the document's id, for a link to its page
    document_id: int

    @property
    def label(self) -> str:
        """The kind of document in the reader's language."""
        return gettext(KIND_LABELS[self.kind])


@dataclass(frozen=True)
class Ledger:
    """The statement in one currency."""

    currency: str
    opening: Decimal
    entries: tuple[Entry, ...]
    ageing: receivables.Ageing

    @property
    def closing(self) -> Decimal:
        return self.entries[-1].balance if self.entries else self.opening

    @property
    def total_debit(self) -> Decimal:
        return sum((e.debit for e in self.entries), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((e.credit for e in self.entries), ZERO)


@dataclass(frozen=True)
class Statement:
    company: Company
    start: date
    end: date
    #: the day the ageing is for
    today: date
    ledgers: tuple[Ledger, ...]


# --- the date range ------------------------------------------------------------------------------------

def default_range(today: date | None = None) -> tuple[date, date]:
    """The start of this year to today."""
    today = today or clock.today()
    return date(today.year, 1, 1), today


def parse_range(start_text: str | None, end_text: str | None, today: date | None = None) -> tuple[date, date]:
    """The range asked for as YYYY-MM-DD texts (blank: default_range()); StatementRangeError when a date
    is not one, the start is after the end, or the range is longer than MAX_YEARS."""
    default_start, default_end = default_range(today)
    start = _parse_date(start_text, "from", "start", default_start)
    end = _parse_date(end_text, "to", "end", default_end)
    if start > end:
        raise StatementRangeError(gettext("The start date is after the end date. Choose a start on or before "
                                          "the end."), field="from")
    if end > _years_after(start, MAX_YEARS):
        raise StatementRangeError(gettext("A statement covers at most %(years)s years. Choose a shorter range.",
                                          years=MAX_YEARS), field="from")
    return start, end


def _parse_date(text: str | None, field: str, name: str, default: date) -> date:
    text = (text or "").strip()
    if not text:
        return default
    message = (gettext("The start date “%(text)s” is not a date. Use the form YYYY-MM-DD, for example 2026-01-31.",
                       text=text[:20]) if name == "start" else
               gettext("The end date “%(text)s” is not a date. Use the form YYYY-MM-DD, for example 2026-01-31.",
                       text=text[:20]))
    problem = StatementRangeError(message, field=field)
    if len(text) != 10:  # fromisoformat also takes 20260131 and week dates: not what the form sends
        raise problem
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise problem from None


def _years_after(day: date, years: int) -> date:
    if day.year + years > date.max.year:
        return date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- the ledger ----------------------------------------------------------------------------------------

def _documents(company: Company):
    """(kind, query) per kind counted; each query selects id, number, currency, day, amount and detail
    (an invoice's due date; the visible invoice a credit note or payment is for)."""
    invoices = (select(Invoice.id, Invoice.number, Invoice.currency, Invoice.issue_date.label("day"),
                       Invoice.total.label("amount"), Invoice.due_date.label("detail"))
                .where(Invoice.company_id == company.id, Invoice.status.in_(receivables.ISSUED_INVOICE)))
    visible_invoice = Invoice.status.not_in(receivables.HIDDEN_INVOICE)
    notes = (select(CreditNote.id, CreditNote.number, CreditNote.currency, CreditNote.issue_date.label("day"),
                    CreditNote.total.label("amount"), Invoice.number.label("detail"))
             .outerjoin(Invoice, (CreditNote.invoice_id == Invoice.id) & visible_invoice)
             .where(CreditNote.company_id == company.id, CreditNote.status.in_(receivables.COUNTING_CREDIT)))
    payments = (select(Payment.id, Payment.number, Payment.currency, Payment.received_date.label("day"),
                       Payment.amount.label("amount"), Invoice.number.label("detail"), Payment.method)
                .outerjoin(Invoice, (Payment.invoice_id == Invoice.id) & visible_invoice)
                .where(Payment.company_id == company.id))
    return (("invoice", invoices), ("credit_note", notes), ("payment", payments))


def _description(kind: str, row) -> str:
    """The entry in words, in the reader's language (the statement is built for whoever reads it)."""
    if kind == "invoice":
        return gettext("Invoice, due %(date)s", date=day_text(row.detail))
    if kind == "credit_note":
        return (gettext("Credit note for %(invoice)s", invoice=row.detail) if row.detail
                else gettext("Credit note, company credit"))
    method = gettext(payment_method_word(row.method)).lower()
    return (gettext("Payment by %(method)s for %(invoice)s", method=method, invoice=row.detail) if row.detail
            else gettext("Payment by %(method)s, on account", method=method))


def statement_for(company: Company, start: date, end: date, today: date | None = None) -> Statement:
    """The company's statement for start..end (inclusive) and its ageing as of today."""
    today = today or clock.today()
    opening: dict[str, Decimal] = {}
    found: list[tuple[str, object]] = []
    for kind, query in _documents(company):
        sub = query.subquery()
        sign = 1 if kind == "invoice" else -1
        for currency, amount in db.session.execute(
                select(sub.c.currency, func.sum(sub.c.amount)).where(sub.c.day < start).group_by(sub.c.currency)):
            opening[currency] = opening.get(currency, ZERO) + sign * _money(amount)
        found += [(kind, row) for row in db.session.execute(_in_range(query, start, end))]
    ageing = {a.currency: a for a in receivables.ageing(company, today)}
    found.sort(key=lambda item: (item[1].day, KIND_ORDER[item[0]], item[1].id))
    currencies = {company.currency, *ageing, *(row.currency for _, row in found),
                  *(c for c, amount in opening.items() if amount)}
    ledgers = []
    for currency in sorted(currencies, key=lambda c: (c != company.currency, c)):
        balance = start_balance = opening.get(currency, ZERO)
        entries = []
        for kind, row in found:
            if row.currency != currency:
                continue
            amount = _money(row.amount)
            debit, credit = (amount, ZERO) if kind == "invoice" else (ZERO, amount)
            balance += debit - credit
            entries.append(Entry(row.day, kind, row.number, _description(kind, row), debit, credit, balance, row.id))
        ledgers.append(Ledger(currency, start_balance, tuple(entries),
                              ageing.get(currency) or receivables.Ageing.nothing(currency)))
    return Statement(company, start, end, today, tuple(ledgers))


def _in_range(query, start: date, end: date):
    day = query.selected_columns.day
    return query.where(day >= start, day <= end)


# --- the CSV -------------------------------------------------------------------------------------------

CSV_HEADER = ("Currency", "Date", "Type", "Number", "Description", "Debit", "Credit", "Balance")


def csv_rows(statement: Statement) -> list[tuple]:
    """The statement as CSV rows under CSV_HEADER: per currency its opening balance, entries, closing
    balance and ageing buckets (plain amounts, no currency signs)."""
    rows: list[tuple] = []
    for ledger in statement.ledgers:
        cur = ledger.currency
        rows.append((cur, statement.start.isoformat(), "Opening balance", "", "", "", "", ledger.opening))
        rows += [(cur, e.date.isoformat(), e.label, e.number, e.description, e.debit or "", e.credit or "", e.balance)
                 for e in ledger.entries]
        rows.append((cur, statement.end.isoformat(), "Closing balance", "", "", ledger.total_debit,
                     ledger.total_credit, ledger.closing))
        rows += [(cur, statement.today.isoformat(), "Ageing", "", label, "", "", amount)
                 for _, label, amount in ledger.ageing.rows()]
    return rows


def statement_pdf(statement: Statement) -> bytes:
    """The branded PDF of the statement (the figures of the page)."""
    return pdf.render("statement", statement=statement)


def filename(statement: Statement, extension: str) -> str:
    code = "".join(c for c in (statement.company.code or "") if c.isalnum() or c in "-_")
    return f"statement-{code + '-' if code else ''}{statement.start.isoformat()}-{statement.end.isoformat()}.{extension}"


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))
