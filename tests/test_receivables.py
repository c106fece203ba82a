"""What customers owe (portal.services.receivables): visible, open and overdue invoices, balances
after payments and credit notes, company credit, the outstanding total. Unit tests, no HTTP."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.models import CreditNote, CreditNoteStatus, Invoice, InvoiceStatus
from portal.services import clock, receivables

D = Decimal
TODAY = date(2026, 3, 10)


# --- one invoice: table-driven ---------------------------------------------------------------------

@pytest.mark.parametrize(("status", "visible", "open_", "manual"), [
    (InvoiceStatus.draft, False, False, True),
    (InvoiceStatus.open, True, True, False),
    (InvoiceStatus.partially_paid, True, True, False),
    (InvoiceStatus.paid, True, False, False),
    (InvoiceStatus.void, True, False, True),  # the customer may have received it: shown, marked void, not owed
])
def test_each_invoice_status_is_visible_open_or_set_by_hand(status, visible, open_, manual):
    assert (status not in receivables.HIDDEN_INVOICE) is visible
    assert receivables.is_open(Invoice(status=status)) is open_
    assert (status in receivables.MANUAL_INVOICE) is manual


@pytest.mark.parametrize(("status", "due", "overdue"), [
    (InvoiceStatus.open, TODAY - timedelta(days=1), True),
    (InvoiceStatus.partially_paid, TODAY - timedelta(days=30), True),
    (InvoiceStatus.open, TODAY, False),  # due today is not late yet
    (InvoiceStatus.open, TODAY + timedelta(days=1), False),
    (InvoiceStatus.paid, TODAY - timedelta(days=30), False),
    (InvoiceStatus.draft, TODAY - timedelta(days=30), False),
    (InvoiceStatus.void, TODAY - timedelta(days=30), False),
])
def test_overdue_is_open_and_past_the_due_date(status, due, overdue):
    assert receivables.is_overdue(Invoice(status=status, due_date=due), TODAY) is overdue


def test_overdue_reads_the_one_clock():
    invoice = Invoice(status=InvoiceStatus.open, due_date=TODAY)
    with clock.frozen(TODAY):
        assert not receivables.is_overdue(invoice)
    with clock.frozen(TODAY + timedelta(days=1)):
        assert receivables.is_overdue(invoice)
        assert clock.today() == TODAY + timedelta(days=1)


@pytest.mark.parametrize(("total", "paid", "credited", "balance"), [
    ("121.00", "0.00", "0.00", "121.00"),
    ("121.00", "21.00", "0.00", "100.00"),
    ("121.00", "0.00", "24.20", "96.80"),  # a credit note against it lowers what is owed
    ("121.00", "50.00", "71.00", "0.00"),
])
def test_balance_due_is_total_less_payments_and_credit_notes(total, paid, credited, balance):
    invoice = Invoice(total=D(total), amount_paid=D(paid), amount_credited=D(credited))
    assert invoice.balance_due == D(balance)


@pytest.mark.parametrize(("status", "paid", "credited", "expected"), [
    (InvoiceStatus.open, "0", "0", InvoiceStatus.open),
    (InvoiceStatus.open, "40", "0", InvoiceStatus.partially_paid),
    (InvoiceStatus.open, "0", "40", InvoiceStatus.partially_paid),
    (InvoiceStatus.open, "60", "40", InvoiceStatus.paid),  # fully covered by payments and credit: paid
    (InvoiceStatus.partially_paid, "0", "100", InvoiceStatus.paid),
    (InvoiceStatus.paid, "0", "0", InvoiceStatus.open),
    (InvoiceStatus.draft, "100", "0", None),
    (InvoiceStatus.void, "0", "100", None),
])
def test_status_follows_payments_and_credit_notes(status, paid, credited, expected):
    invoice = Invoice(status=status, total=D("100.00"), amount_paid=D(paid), amount_credited=D(credited))
    assert receivables.settlement_status(invoice) == expected


@pytest.mark.parametrize(("status", "credit"), [
    (CreditNoteStatus.draft, "0.00"),
    (CreditNoteStatus.issued, "24.20"),
    (CreditNoteStatus.applied, "24.20"),
    (CreditNoteStatus.void, "0.00"),
])
def test_only_issued_and_applied_credit_notes_count(status, credit):
    assert receivables.credit_of(CreditNote(status=status, total=D("24.20"))) == D(credit)


# --- queries: the same states in SQL ----------------------------------------------------------------

def _numbers(db, where) -> set[str]:
    return set(db.session.execute(select(Invoice.number).where(where)).scalars())


def test_open_and_overdue_clauses_agree_with_the_python_states(db, make):
    company = make.company()
    invoices = [make.invoice(company, status=status, due_in_days=due)
                for status in InvoiceStatus for due in (-3, 0, 3)]
    today = clock.today()
    assert _numbers(db, receivables.open_clause()) == {i.number for i in invoices if receivables.is_open(i)}
    assert _numbers(db, receivables.overdue_clause(today)) == {
        i.number for i in invoices if receivables.is_overdue(i, today)}
    assert len(_numbers(db, receivables.overdue_clause(today))) == 2
    visible = db.session.execute(receivables.visible_invoices(select(Invoice.number))).scalars()
    assert set(visible) == {i.number for i in invoices if i.status != InvoiceStatus.draft}


def test_overdue_clause_reads_the_one_clock(db, make):
    invoice = make.invoice(make.company(), due_in_days=5)
    with clock.frozen(clock.today() + timedelta(days=6)):
        assert _numbers(db, receivables.overdue_clause()) == {invoice.number}
    assert _numbers(db, receivables.overdue_clause()) == set()


# --- a company's figures ------------------------------------------------------------------------------

def test_a_credit_note_against_an_invoice_lowers_its_balance_and_the_outstanding_total(db, make):
    company = make.company()
    invoice = make.invoice(company, total="121.00")
    make.credit_note(company, invoice, total="24.20")
    assert invoice.balance_due == D("96.80")
    [eur] = receivables.outstanding(company)
    assert (eur.open_total, eur.open_count, eur.credit) == (D("96.80"), 1, D("0.00"))
    assert receivables.outstanding_total(company) == D("96.80")


def test_draft_and_void_credit_notes_count_for_nothing(db, make):
    company = make.company()
    invoice = make.invoice(company, total="121.00")
    make.credit_note(company, invoice, total="10.00", status=CreditNoteStatus.draft)
    make.credit_note(company, invoice, total="20.00", status=CreditNoteStatus.void)
    make.credit_note(company, None, total="30.00", status=CreditNoteStatus.draft)
    assert invoice.balance_due == D("121.00")
    assert receivables.outstanding_total(company) == D("121.00")


def test_company_credit_lowers_what_is_outstanding_the_most_overdue_first(db, make):
    company = make.company()
    other = make.company()
    make.invoice(company, total="100.00", due_in_days=-5)
    make.invoice(company, total="50.00", due_in_days=10)
    make.credit_note(company, None, total="30.00")  # no invoice: company credit
    make.credit_note(company, None, total="5.00", status=CreditNoteStatus.applied)
    make.credit_note(other, None, total="999.00")
    [eur] = receivables.outstanding(company)
    assert eur == receivables.Outstanding("EUR", D("115.00"), 2, D("65.00"), 1, D("35.00"))
    assert receivables.company_credit(company) == {"EUR": D("35.00")}


def test_company_credit_never_makes_the_outstanding_total_negative(db, make):
    company = make.company()
    make.invoice(company, total="20.00", due_in_days=-1)
    make.credit_note(company, None, total="50.00")
    [eur] = receivables.outstanding(company)
    assert (eur.open_total, eur.overdue_total, eur.credit) == (D("0.00"), D("0.00"), D("20.00"))


def test_company_credit_applies_in_its_own_currency_only(db, make):
    company = make.company()
    make.invoice(company, total="40.00", currency="USD")
    make.invoice(company, total="100.00")
    make.credit_note(company, None, total="10.00", currency="USD")
    result = {o.currency: o.open_total for o in receivables.outstanding(company)}
    assert result == {"EUR": D("100.00"), "USD": D("30.00")}
    assert receivables.outstanding_total(company) == D("100.00")  # the company's own currency


def test_counts_and_recent_invoices_leave_drafts_out(db, make):
    company = make.company()
    draft = make.invoice(company, status=InvoiceStatus.draft, due_in_days=-30)
    void = make.invoice(company, status=InvoiceStatus.void, due_in_days=-30)
    late = make.invoice(company, due_in_days=-1)
    make.invoice(company, status=InvoiceStatus.paid, amount_paid=D("121.00"))
    assert receivables.open_invoice_count(company) == 1
    assert receivables.overdue_invoice_count(company) == 1
    recent = [i.number for i in receivables.recent_invoices(company, 10)]
    assert draft.number not in recent and {void.number, late.number} <= set(recent)
    assert receivables.overdue_invoice_count(company, clock.today() - timedelta(days=2)) == 0
