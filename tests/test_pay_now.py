"""Pay Now by bank transfer: who may pay, the review page, part payments, staff confirming receipt."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select
from webtest import TestApp

from portal import settings
from portal.models import (
    Invoice,
    InvoiceStatus,
    NotificationRoute,
    OutboxEmail,
    Payment,
    PaymentMethod,
    PaymentRequest,
    PaymentRequestStatus,
)
from portal.services import payment_requests
from portal.services.actor import Actor

IBAN = "NL91ABNA0417164300"


@pytest.fixture
def bank(db):
    settings.save({"invoices.bank_account_holder": "Northwind Supplies BV", "invoices.bank_iban": IBAN,
                   "invoices.bank_bic": "ABNANL2A", "invoices.bank_name": "ABN AMRO"})


@pytest.fixture
def company(make):
    return make.company(name="Alpha Trading", credit_limit=Decimal("1000.00"))


@pytest.fixture
def finance(testapp, make, login, company, bank):
    login(testapp, make.contact(company, role="Finance", email="fiona@alpha.example"))
    return testapp


@pytest.fixture
def staff_client(testapp, make, login):
    """A second browser, signed in as staff (the customer's browser stays signed in)."""
    client = TestApp(testapp.app)
    login(client, make.staff(name="Stella Staff", email="stella@northwind.example"))
    return client


def count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def stored(db, invoice) -> Invoice:
    db.session.expire_all()
    return db.session.get(Invoice, invoice.id)


def stats(res) -> dict[str, str]:
    page = BeautifulSoup(res.text, "html.parser")
    return {s.select_one(".stat-label").get_text(strip=True): s.select_one(".stat-value").get_text(strip=True)
            for s in page.select(".stats .stat")}


def review_selected(client, *invoices):
    """On the invoice list, tick the invoices and press Pay selected: the review page."""
    form = client.get("/invoices/?status=open").forms["pay-selected"]
    for invoice in invoices:
        form.set("invoice", True, index=[f.id for f in form.fields["invoice"]].index(f"pay-{invoice.id}"))
    return form.submit()


def confirm_received(staff_client, payment_request, **values):
    """In the back office: Payment requests -> Confirm received on the row -> the form, submitted."""
    listing = staff_client.get("/admin/payment-request/")
    page = listing.click("Confirm received", href=f"id={payment_request.id}")
    form = next(f for f in page.forms.values() if "received_date" in f.fields)
    for name, value in values.items():
        form[name] = value
    return form


# --- who may pay ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, may_pay", [("Admin", True), ("Finance", True), ("Buyer", False), ("Viewer", False)])
def test_only_admin_and_finance_see_pay_now_others_get_403(testapp, db, make, login, company, bank, role, may_pay):
    invoice = make.invoice(company, total="121.00")
    login(testapp, make.contact(company, role=role))
    detail = testapp.get(f"/invoices/{invoice.id}")
    listing = testapp.get("/invoices/")
    assert ("Pay now" in detail.text) is may_pay
    assert ("pay-selected" in listing.forms) is may_pay
    token = testapp.get("/account").forms["profile"]["csrf_token"].value
    review = testapp.get(f"/invoices/pay?invoice={invoice.id}", expect_errors=True)
    posted = testapp.post("/invoices/pay", {"csrf_token": token, "invoice": invoice.id, f"amount-{invoice.id}": "121.00",
                                            "provider": "bank_transfer"}, expect_errors=True)
    if may_pay:
        assert review.status_int == 200 and posted.status_int == 302
    else:
        assert (review.status_int, posted.status_int) == (403, 403)
    assert count(db, PaymentRequest) == (1 if may_pay else 0)


def test_a_paid_invoice_has_no_pay_button_and_no_checkbox(finance, make, company):
    paid = make.invoice(company, status=InvoiceStatus.paid, amount_paid=Decimal("121.00"))
    open_one = make.invoice(company)
    assert "Pay now" not in finance.get(f"/invoices/{paid.id}").text
    boxes = [f.id for f in finance.get("/invoices/").forms["pay-selected"].fields["invoice"]]
    assert boxes == [f"pay-{open_one.id}"]


def test_a_settled_invoice_asked_for_is_left_out_with_a_message(finance, make, company):
    paid = make.invoice(company, status=InvoiceStatus.paid, amount_paid=Decimal("121.00"))
    open_one = make.invoice(company, total="200.00")
    res = finance.get(f"/invoices/pay?invoice={paid.id}&invoice={open_one.id}")
    assert f"Nothing is owed on {paid.number}: left out." in res.text
    assert [f.value for f in res.forms["pay"].fields["invoice"]] == [str(open_one.id)]
    res = finance.get(f"/invoices/pay?invoice={paid.id}")
    assert "pay" not in res.forms and f"Nothing is owed on {paid.number}" in res.text


# --- bank transfer, end to end ----------------------------------------------------------------------------

def test_finance_pays_two_invoices_by_bank_transfer_and_staff_confirm(finance, staff_client, make, company, db):
    one = make.invoice(company, total="121.00")
    two = make.invoice(company, total="200.00")
    db.session.add(NotificationRoute(kind="payment_requested", team_email="finance@northwind.example"))
    db.session.commit()
    assert stats(finance.get("/dashboard"))["Available credit"] == "€679.00"

    review = review_selected(finance, one, two)
    assert review.status_int == 200
    assert review.html.select_one('[data-testid="pay-total"]').get_text(strip=True) == "€321.00"
    page = review.forms["pay"].submit().follow()
    reference = page.html.select_one('[data-testid="payment-reference"]').get_text(strip=True)
    assert re.fullmatch(r"PAY-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", reference)
    bank_details = page.html.select_one('[data-testid="bank-details"]').get_text(" ", strip=True)
    assert IBAN in bank_details and "Northwind Supplies BV" in bank_details and "€321.00" in bank_details
    # pending until the money arrives: nothing recorded, nothing owed less
    assert (stored(db, one).status, stored(db, two).status) == (InvoiceStatus.open, InvoiceStatus.open)
    assert stats(finance.get("/dashboard"))["Available credit"] == "€679.00"
    notice = db.session.execute(select(OutboxEmail).filter_by(kind="staff_notice")).scalar_one()
    assert notice.to_address == "finance@northwind.example"
    assert reference in notice.body_text and one.number in notice.body_text and "/admin/payment-request/confirm/" \
        in notice.body_text

    request = db.session.execute(select(PaymentRequest)).scalar_one()
    res = confirm_received(staff_client, request).submit().follow()
    assert f"{reference} confirmed: 2 payment(s) recorded" in res.text

    assert (stored(db, one).status, stored(db, two).status) == (InvoiceStatus.paid, InvoiceStatus.paid)
    assert stats(finance.get("/dashboard"))["Available credit"] == "€1,000.00"
    detail = finance.get(f"/invoices/{one.id}")
    receipt = db.session.execute(select(Payment).where(Payment.invoice_id == one.id)).scalar_one()
    assert receipt.number.startswith("RCT-") and receipt.number in detail.text and reference in detail.text
    assert receipt.method == PaymentMethod.bank_transfer
    assert "Paid: thank you" in finance.get(f"/invoices/payments/{request.id}").text


def test_a_part_payment_leaves_the_invoice_partially_paid(finance, staff_client, make, company, db):
    invoice = make.invoice(company, total="121.00")
    review = finance.get(f"/invoices/{invoice.id}").click("Pay now")
    form = review.forms["pay"]
    assert form[f"amount-{invoice.id}"].value == "121.00"
    form[f"amount-{invoice.id}"] = "50.00"
    form.submit().follow()
    request = db.session.execute(select(PaymentRequest)).scalar_one()
    assert request.total == Decimal("50.00")
    confirm_received(staff_client, request).submit()
    invoice = stored(db, invoice)
    assert (invoice.status, invoice.balance_due) == (InvoiceStatus.partially_paid, Decimal("71.00"))
    assert finance.get(f"/invoices/{invoice.id}").html.select_one('[data-testid="balance-due"]').get_text() \
        == "€71.00"


@pytest.mark.parametrize("typed, message", [
    ("121.01", "is more than its balance due"), ("0", "must be more than zero"), ("-5", "must be more than zero"),
    ("abc", "as a number"), ("10.001", "more than two decimals")])
def test_a_wrong_amount_is_a_clear_message_and_creates_nothing(finance, make, company, db, typed, message):
    invoice = make.invoice(company, total="121.00")
    form = finance.get(f"/invoices/pay?invoice={invoice.id}").forms["pay"]
    form[f"amount-{invoice.id}"] = typed
    res = form.submit()
    assert res.status_int == 200 and message in res.text
    assert res.forms["pay"][f"amount-{invoice.id}"].value == typed
    assert count(db, PaymentRequest) == 0


def test_the_customer_cancels_a_pending_transfer_and_staff_can_no_longer_confirm_it(finance, staff_client, make,
                                                                                     company, db):
    invoice = make.invoice(company, total="121.00")
    page = finance.get(f"/invoices/pay?invoice={invoice.id}").forms["pay"].submit().follow()
    res = page.forms["cancel-payment"].submit().follow()
    assert "cancelled. Please do not transfer the money" in res.text and "cancel-payment" not in res.forms
    request = db.session.execute(select(PaymentRequest)).scalar_one()
    assert request.status == PaymentRequestStatus.cancelled
    assert "Confirm received" not in staff_client.get("/admin/payment-request/").text
    res = staff_client.get(f"/admin/payment-request/confirm/?id={request.id}").follow()
    assert "is cancelled already: nothing recorded" in res.text
    assert count(db, Payment) == 0


# --- isolation ------------------------------------------------------------------------------------------

def test_another_companys_invoice_cannot_be_paid_and_its_request_is_404(finance, make, company, db):
    mine = make.invoice(company, total="121.00")
    other = make.company(name="Beta Builders")
    theirs = make.invoice(other, total="484.00")
    assert finance.get(f"/invoices/pay?invoice={theirs.id}", expect_errors=True).status_int == 404
    assert finance.get(f"/invoices/pay?invoice={mine.id}&invoice={theirs.id}", expect_errors=True).status_int == 404

    form = finance.get(f"/invoices/pay?invoice={mine.id}").forms["pay"]
    fields = dict(form.submit_fields())
    res = finance.post("/invoices/pay", [*form.submit_fields(), ("invoice", str(theirs.id)),
                                         (f"amount-{theirs.id}", "484.00")], expect_errors=True)
    assert res.status_int == 404
    assert count(db, PaymentRequest) == 0
    assert fields[f"amount-{mine.id}"] == "121.00"

    their_request = payment_requests.create(other, [payment_requests.Share(theirs, Decimal("484.00"))],
                                            "bank_transfer", by=Actor())
    db.session.commit()
    res = finance.get(f"/invoices/payments/{their_request.id}", expect_errors=True)
    assert res.status_int == 404 and their_request.reference not in res.text


# --- staff confirm once -------------------------------------------------------------------------------------

def test_confirming_twice_records_the_payments_once(finance, staff_client, make, company, db):
    invoice = make.invoice(company, total="121.00")
    finance.get(f"/invoices/pay?invoice={invoice.id}").forms["pay"].submit()
    request = db.session.execute(select(PaymentRequest)).scalar_one()
    form = confirm_received(staff_client, request)
    first, second = form.submit().follow(), form.submit().follow()  # a double click: the same form twice
    assert "confirmed: 1 payment(s) recorded" in first.text
    assert "nothing recorded" in second.text
    assert count(db, Payment) == 1
    assert stored(db, invoice).amount_paid == Decimal("121.00")
    receipt = db.session.execute(select(OutboxEmail).filter_by(kind="payment_receipt")).scalar_one()  # once
    assert receipt.to_address == "fiona@alpha.example"
    assert f"on invoice {invoice.number} (invoice {invoice.number} is now paid)" in receipt.body_text


def test_a_confirmed_amount_other_than_the_total_records_nothing(finance, staff_client, make, company, db):
    invoice = make.invoice(company, total="121.00")
    finance.get(f"/invoices/pay?invoice={invoice.id}").forms["pay"].submit()
    request = db.session.execute(select(PaymentRequest)).scalar_one()
    res = confirm_received(staff_client, request, amount="100.00").submit().follow()
    assert "This request is for 121.00 EUR; 100.00 arrived" in res.text
    assert count(db, Payment) == 0
    db.session.expire_all()
    assert db.session.get(PaymentRequest, request.id).status == PaymentRequestStatus.pending


def test_an_invoice_paid_by_hand_meanwhile_refuses_the_confirmation(db, make, company):
    invoice = make.invoice(company, total="121.00")
    request = payment_requests.create(company, [payment_requests.Share(invoice, Decimal("121.00"))], "bank_transfer",
                                      by=Actor())
    invoice.amount_paid, invoice.status = Decimal("100.00"), InvoiceStatus.partially_paid
    db.session.commit()
    with pytest.raises(payment_requests.PayError, match="owes 21.00 EUR now"):
        payment_requests.complete(request, method=PaymentMethod.bank_transfer, by=Actor())
    db.session.rollback()
    assert db.session.get(PaymentRequest, request.id).status == PaymentRequestStatus.pending


def test_completing_a_request_a_second_time_records_nothing(db, make, company):
    """The rule behind every double confirmation: the status moves from pending exactly once."""
    invoice = make.invoice(company, total="121.00")
    request = payment_requests.create(company, [payment_requests.Share(invoice, Decimal("21.00"))], "bank_transfer",
                                      by=Actor())
    db.session.commit()
    assert payment_requests.complete(request, method=PaymentMethod.bank_transfer, by=Actor()) is True
    assert payment_requests.complete(request, method=PaymentMethod.bank_transfer, by=Actor()) is False
    db.session.commit()
    assert count(db, Payment) == 1
    assert stored(db, invoice).balance_due == Decimal("100.00")
