"""Recording a payment in the back office moves the invoice's paid amount and status."""
from __future__ import annotations

from decimal import Decimal

from portal.models import Invoice, InvoiceStatus, Payment
from tests.fixtures_admin import delete_from_list, errors_of, model_form, submit_edit
from tests.test_admin_crud import count


def _record(admin, company, invoice, amount):
    form = model_form(admin.get("/admin/payment/new/"))
    form["company"] = str(company.id)
    form["invoice"] = str(invoice.id)
    form["amount"] = amount
    return form.submit()


def _invoice(db, invoice) -> Invoice:
    db.session.expire_all()
    return db.session.get(Invoice, invoice.id)


def _paid(db, invoice) -> tuple[Decimal, InvoiceStatus]:
    """The invoice's amount paid and status as stored now."""
    stored = _invoice(db, invoice)
    return stored.amount_paid, stored.status


def _edit_the_payment(admin, db, **values):
    return submit_edit(admin, "payment", db.session.query(Payment).one().id, **values)


def test_payments_make_an_invoice_partially_paid_then_paid(admin, db, make):
    company = make.company()
    invoice = make.invoice(company, total="100.00")
    _record(admin, company, invoice, "40.00")
    assert _paid(db, invoice) == (Decimal("40.00"), InvoiceStatus.partially_paid)
    _record(admin, company, invoice, "60.00")
    assert _paid(db, invoice) == (Decimal("100.00"), InvoiceStatus.paid)
    listing = admin.get("/admin/invoice/")
    assert "Paid" in listing.text


def test_paying_more_than_is_owed_is_a_form_error_and_changes_nothing(admin, db, make):
    company = make.company()
    invoice = make.invoice(company, total="100.00")
    res = _record(admin, company, invoice, "100.01")
    assert f"This is more than {invoice.number} still owes" in errors_of(res)
    assert count(db, Payment) == 0
    assert _paid(db, invoice) == (Decimal("0.00"), InvoiceStatus.open)


def test_correcting_a_payment_amount_corrects_the_invoice(admin, db, make):
    company = make.company()
    invoice = make.invoice(company, total="100.00")
    _record(admin, company, invoice, "100.00")
    _edit_the_payment(admin, db, amount="30.00")
    assert _paid(db, invoice) == (Decimal("30.00"), InvoiceStatus.partially_paid)


def test_moving_a_payment_to_another_invoice_moves_the_money(admin, db, make):
    company = make.company()
    first, second = make.invoice(company, total="100.00"), make.invoice(company, total="50.00")
    _record(admin, company, first, "50.00")
    _edit_the_payment(admin, db, invoice=str(second.id))
    assert _paid(db, first) == (Decimal("0.00"), InvoiceStatus.open)
    assert _paid(db, second) == (Decimal("50.00"), InvoiceStatus.paid)


def test_a_payment_on_account_put_on_an_invoice_pays_it(admin, db, make):
    company = make.company()
    invoice = make.invoice(company, total="100.00")
    payment = make.payment(company, None, amount="100.00")
    _edit_the_payment(admin, db, invoice=str(invoice.id))
    assert _paid(db, invoice) == (Decimal("100.00"), InvoiceStatus.paid)
    assert db.session.get(Payment, payment.id).invoice_id == invoice.id


def test_deleting_a_payment_reopens_the_invoice(admin, db, make):
    company = make.company()
    invoice = make.invoice(company, total="100.00")
    _record(admin, company, invoice, "100.00")
    payment = db.session.query(Payment).one()
    delete_from_list(admin, "/admin/payment/", payment.id)
    assert count(db, Payment) == 0
    assert _paid(db, invoice) == (Decimal("0.00"), InvoiceStatus.open)


def _edit_invoice(admin, invoice, **values):
    return submit_edit(admin, "invoice", invoice.id, **values)


def test_the_amount_paid_is_shown_but_only_payments_change_it(admin, db, make):
    company = make.company()
    invoice = make.invoice(company, total="100.00")
    _record(admin, company, invoice, "40.00")
    form = model_form(admin.get(f"/admin/invoice/edit/?id={invoice.id}"))
    assert form["amount_paid"].value == "40.00"
    assert "readonly" in form["amount_paid"].attrs
    form["amount_paid"] = "0.00"  # what a tampered post would send
    form["notes"] = "Called the customer"
    form.submit()
    assert _invoice(db, invoice).amount_paid == Decimal("40.00")
    assert _invoice(db, invoice).notes == "Called the customer"


def test_marking_an_unpaid_invoice_paid_by_hand_is_a_form_error(admin, db, make):
    invoice = make.invoice(make.company(), total="100.00")
    res = _edit_invoice(admin, invoice, status="paid", **{"lines-0-tax_rate": "0"})
    assert "With €0.00 paid of €100.00 this invoice is open. Record or change a payment" in errors_of(res)
    assert _invoice(db, invoice).status == InvoiceStatus.open


def test_a_paid_invoice_can_still_be_voided(admin, db, make):
    company = make.company()
    invoice = make.invoice(company, total="100.00")
    _record(admin, company, invoice, "100.00")
    _edit_invoice(admin, invoice, status="void")
    assert _invoice(db, invoice).status == InvoiceStatus.void


def test_lowering_the_total_below_the_payments_is_a_form_error(admin, db, make):
    company = make.company()
    invoice = make.invoice(company, total="100.00")
    _record(admin, company, invoice, "80.00")
    res = _edit_invoice(admin, invoice, **{"lines-0-unit_price": "50.00", "lines-0-tax_rate": "0"})
    assert "Payments of €80.00 are recorded on this invoice, more than its new total of €50.00" in errors_of(res)
    assert _invoice(db, invoice).total == Decimal("100.00")


def test_raising_the_total_of_a_paid_invoice_makes_it_partially_paid(admin, db, make):
    company = make.company()
    invoice = make.invoice(company, total="100.00")
    _record(admin, company, invoice, "100.00")
    _edit_invoice(admin, invoice, **{"lines-0-unit_price": "150.00", "lines-0-tax_rate": "0"})
    assert _paid(db, invoice) == (Decimal("100.00"), InvoiceStatus.partially_paid)
    assert _invoice(db, invoice).total == Decimal("150.00")
