"""Back-office rules as services, without HTTP: invoices (due date, settlement), payments, credit
notes, and documents that must point at their own company's documents."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.models import (
    Address,
    Company,
    CreditNote,
    CreditNoteStatus,
    Invoice,
    InvoiceStatus,
    Payment,
    PurchaseOrder,
    SalesOrder,
    Shipment,
    SupplierBill,
)
from portal.services import credit_notes, documents, invoicing, payments
from portal.services.credit_notes import CreditNoteError
from portal.services.documents import DocumentError
from portal.services.invoicing import InvoiceError
from portal.services.payments import PaymentError

D = Decimal


def invoice(total="100.00", paid="0.00", credited="0.00", status=InvoiceStatus.open, **kw) -> Invoice:
    return Invoice(number="INV-1", total=D(total), amount_paid=D(paid), amount_credited=D(credited),
                   status=status, currency=kw.pop("currency", "EUR"), **kw)


# --- invoices --------------------------------------------------------------------------------------

def test_an_invoice_without_due_date_is_due_after_the_payment_terms():
    inv = invoice(company=Company(payment_terms_days=14), issue_date=date(2026, 3, 1), due_date=None)
    invoicing.fill_due_date(inv)
    assert inv.due_date == date(2026, 3, 15)
    inv.due_date = date(2026, 4, 30)
    invoicing.fill_due_date(inv)
    assert inv.due_date == date(2026, 4, 30)  # a date staff typed stays


def test_the_due_date_cannot_be_before_the_issue_date():
    with pytest.raises(InvoiceError) as refused:
        invoicing.check_dates(invoice(issue_date=date(2026, 3, 1), due_date=date(2026, 2, 28)))
    assert (refused.value.field, str(refused.value)) == ("due_date", "The due date cannot be before the issue date.")
    invoicing.check_dates(invoice(issue_date=date(2026, 3, 1), due_date=date(2026, 3, 1)))


@pytest.mark.parametrize(("paid", "credited", "message"), [
    ("80.00", "0.00", ("Payments of €80.00 are recorded on this invoice, more than its new total of €50.00: "
                      "change the payments first.")),
    ("30.00", "30.00", ("Payments of €30.00 and credit notes of €30.00 are recorded on this invoice, more than "
                       "its new total of €50.00: change them first.")),
])
def test_a_total_below_what_payments_and_credit_notes_cover_is_refused(paid, credited, message):
    inv = invoice(total="50.00", paid=paid, credited=credited, status=InvoiceStatus.partially_paid)
    with pytest.raises(InvoiceError) as refused:
        invoicing.check_settlement(inv, status_chosen=False)
    assert (refused.value.field, str(refused.value)) == ("status", message)


@pytest.mark.parametrize(("chosen", "paid", "credited", "message"), [
    (InvoiceStatus.paid, "0.00", "0.00", ("With €0.00 paid of €100.00 this invoice is open. Record or change a "
                                         "payment under Payments to change that.")),
    (InvoiceStatus.open, "0.00", "100.00", ("With €0.00 paid and €100.00 credited of €100.00 this invoice is paid. "
                                           "Record or change a payment under Payments or a credit note under "
                                           "Credit notes to change that.")),
])
def test_a_chosen_status_that_disagrees_with_the_money_is_refused(chosen, paid, credited, message):
    inv = invoice(paid=paid, credited=credited, status=chosen)
    with pytest.raises(InvoiceError) as refused:
        invoicing.check_settlement(inv, status_chosen=True)
    assert (refused.value.field, str(refused.value)) == ("status", message)
    assert inv.status == chosen


def test_a_status_nobody_chose_follows_the_money():
    inv = invoice(total="150.00", paid="100.00", status=InvoiceStatus.paid)  # the lines raised the total
    invoicing.check_settlement(inv, status_chosen=False)
    assert inv.status == InvoiceStatus.partially_paid


@pytest.mark.parametrize("status", [InvoiceStatus.draft, InvoiceStatus.void])
def test_draft_and_void_are_staffs_to_set(status):
    inv = invoice(paid="100.00", status=status)
    invoicing.check_settlement(inv, status_chosen=True)
    assert inv.status == status


# --- payments --------------------------------------------------------------------------------------

@pytest.mark.parametrize("amount", [None, "0", "-5.00"])
def test_a_payment_must_be_more_than_zero(amount):
    payment = Payment(amount=D(amount) if amount else None, company=Company(currency="EUR"))
    with pytest.raises(PaymentError) as refused:
        payments.check(payment, is_created=True)
    assert (refused.value.field, str(refused.value)) == ("amount", "A payment must be more than zero.")


def test_a_new_payment_takes_its_invoices_currency_or_its_companys():
    on_invoice = Payment(amount=D(10), company=Company(currency="EUR"), invoice=invoice(currency="USD"))
    payments.check(on_invoice, is_created=True)
    assert on_invoice.currency == "USD"
    on_account = Payment(amount=D(10), company=Company(currency="GBP"))
    payments.check(on_account, is_created=True)
    assert on_account.currency == "GBP"


def test_a_payment_in_another_currency_than_its_invoice_is_refused():
    payment = Payment(amount=D(10), currency="EUR", invoice=invoice(currency="USD"))
    with pytest.raises(PaymentError) as refused:
        payments.check(payment, is_created=False)
    assert (refused.value.field, str(refused.value)) == ("invoice", "This invoice is in USD, the payment in EUR.")


def test_payments_move_the_amount_paid_and_the_status():
    inv = invoice(total="100.00")
    payments.move(inv, D("40.00"))
    assert (inv.amount_paid, inv.status) == (D("40.00"), InvoiceStatus.partially_paid)
    payments.record_change(inv, D("40.00"), inv, D("100.00"))
    assert (inv.amount_paid, inv.status) == (D("100.00"), InvoiceStatus.paid)
    payments.record_change(inv, D("100.00"), None, None)
    assert (inv.amount_paid, inv.status) == (D("0.00"), InvoiceStatus.open)


def test_a_payment_cannot_cover_what_a_credit_note_already_did():
    inv = invoice(total="100.00", credited="30.00")
    with pytest.raises(PaymentError) as refused:
        payments.move(inv, D("80.00"))
    assert str(refused.value).startswith("This is more than INV-1 still owes")
    assert inv.amount_paid == D("0.00")
    payments.move(inv, D("70.00"))
    assert inv.status == InvoiceStatus.paid


# --- credit notes ------------------------------------------------------------------------------------

def note(total="30.00", status=CreditNoteStatus.issued, inv=None, currency="EUR") -> CreditNote:
    return CreditNote(number="CN-1", total=D(total), status=status, invoice=inv, currency=currency)


def test_an_issued_credit_note_credits_its_invoice_and_can_settle_it():
    inv = invoice(total="100.00", paid="70.00", status=InvoiceStatus.partially_paid)
    credit_notes.issue(note("30.00", inv=inv))
    assert (inv.amount_credited, inv.balance_due, inv.status) == (D("30.00"), D("0.00"), InvoiceStatus.paid)


@pytest.mark.parametrize("status", [CreditNoteStatus.draft, CreditNoteStatus.void])
def test_draft_and_void_credit_notes_credit_nothing(status):
    inv = invoice()
    credit_notes.issue(note(status=status, inv=inv))
    assert (inv.amount_credited, inv.status) == (D("0.00"), InvoiceStatus.open)


def test_voiding_editing_and_deleting_a_credit_note_moves_its_credit():
    inv = invoice(total="100.00")
    cn = note("30.00", inv=inv)
    credit_notes.issue(cn)
    cn.total = D("40.00")  # the lines changed
    credit_notes.record_change(inv, D("30.00"), cn)
    assert inv.amount_credited == D("40.00")
    cn.status = CreditNoteStatus.void
    credit_notes.record_change(inv, D("40.00"), cn)
    assert (inv.amount_credited, inv.status) == (D("0.00"), InvoiceStatus.open)
    cn.status = CreditNoteStatus.applied
    credit_notes.record_change(inv, D("0.00"), cn)
    credit_notes.record_delete(cn)
    assert (inv.amount_credited, inv.status) == (D("0.00"), InvoiceStatus.open)


def test_moving_a_credit_note_to_another_invoice_moves_the_credit():
    first, second = invoice(total="100.00"), invoice(total="50.00")
    cn = note("50.00", inv=first)
    credit_notes.issue(cn)
    cn.invoice = second
    credit_notes.record_change(first, D("50.00"), cn)
    assert (first.amount_credited, first.status) == (D("0.00"), InvoiceStatus.open)
    assert (second.amount_credited, second.status) == (D("50.00"), InvoiceStatus.paid)


def test_a_credit_note_for_more_than_the_invoice_owes_is_refused_and_changes_nothing():
    first = invoice(total="100.00", paid="90.00", status=InvoiceStatus.partially_paid)
    second = invoice(total="100.00", credited="20.00")
    cn = note("20.00", inv=second)
    cn.invoice = first  # moving it: the old invoice must not lose its credit when the new one refuses
    with pytest.raises(CreditNoteError) as refused:
        credit_notes.record_change(second, D("20.00"), cn)
    assert refused.value.field == "invoice"
    assert str(refused.value) == ("This credit note is more than INV-1 still owes (€10.00). Lower it, or issue it "
                                  "without an invoice to give the company credit instead.")
    assert (first.amount_credited, second.amount_credited) == (D("0.00"), D("20.00"))


def test_raising_a_credit_note_counts_what_it_already_credits():
    inv = invoice(total="100.00")
    cn = note("30.00", inv=inv)
    credit_notes.issue(cn)
    cn.total = D("120.00")
    with pytest.raises(CreditNoteError, match=r"still owes \(€100.00\)"):
        credit_notes.record_change(inv, D("30.00"), cn)
    assert inv.amount_credited == D("30.00")


def test_a_credit_note_in_another_currency_than_its_invoice_is_refused():
    inv = invoice(currency="USD")
    with pytest.raises(CreditNoteError, match="This invoice is in USD, the credit note in EUR."):
        credit_notes.issue(note(inv=inv, currency="EUR"))
    assert inv.amount_credited == D("0.00")


def test_a_credit_note_without_invoice_changes_no_invoice():
    other = invoice(total="100.00", paid="70.00", status=InvoiceStatus.partially_paid)
    credit = note("30.00")
    credit_notes.issue(credit)  # company credit: receivables counts it
    assert credit.invoice is None and credit.status == CreditNoteStatus.issued
    assert (other.amount_credited, other.balance_due, other.status) == (D("0.00"), D("30.00"),
                                                                         InvoiceStatus.partially_paid)


# --- documents of one company ------------------------------------------------------------------------

A, B = Company(id=1, name="A"), Company(id=2, name="B")
LINKS = [
    (Invoice, "order", SalesOrder, "Choose an order of this invoice's company."),
    (Payment, "invoice", Invoice, "Choose an invoice of this payment's company."),
    (CreditNote, "invoice", Invoice, "Choose an invoice of this credit note's company."),
    (Shipment, "order", SalesOrder, "Choose an order of this shipment's company."),
    (SupplierBill, "purchase_order", PurchaseOrder, "Choose a purchase order of this supplier."),
    (SalesOrder, "shipping_address", Address, "Choose an address of this order's company."),
]


@pytest.mark.parametrize(("model", "relation", "linked", "message"), LINKS)
def test_a_document_points_only_at_its_own_companys_documents(model, relation, linked, message):
    document = model(company=A)
    setattr(document, relation, linked(company_id=B.id))
    with pytest.raises(DocumentError) as refused:
        documents.same_company(document)
    assert (refused.value.field, str(refused.value)) == (relation, message)
    setattr(document, relation, linked(company_id=A.id))
    documents.same_company(document)
    setattr(document, relation, None)
    documents.same_company(document)


def test_every_declared_link_is_tested():
    assert {(m, r) for m, r, _, _ in LINKS} == {(m, r) for m, links in documents.COMPANY_LINKS.items()
                                                 for r, _ in links}
