"""Customer emails about their documents: a new invoice, an order confirmed, a shipment on its way and
delivered, a payment received, and the daily payment reminders (`portal send-reminders`).

Each goes once per event, through the outbox, to the company's contacts whose role may see the document
and whose notification preferences want it.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal import settings
from portal.models import (
    CreditNoteStatus,
    Invoice,
    InvoiceReminder,
    InvoiceStatus,
    OrderStatus,
    OutboxEmail,
    Payment,
    ShipmentStatus,
)
from portal.services import clock, customer_notices, invoice_reminders, receivables
from portal.services.outbox import deliver_due
from tests.fixtures_admin import model_form, submit_edit
from tests.fixtures_mail import html_of, link_in, text_of
from tests.test_admin_crud import count


@pytest.fixture
def acme(make, db):
    """A customer on 14-day terms: Anna (Admin) wants everything; Bert (Buyer) switched the new-invoice,
    order and delivery emails off; Vera's Viewer role was taken the invoices away; Otto is another
    company's Admin."""
    company = make.company(name="Acme Tools", payment_terms_days=14)
    people = {"anna": make.contact(company, role="Admin", name="Anna", email="anna@acme.example"),
              "bert": make.contact(company, role="Buyer", name="Bert", email="bert@acme.example",
                                   notification_prefs={"invoice_issued": False, "order_confirmed": False,
                                                       "shipment_delivered": False}),
              "vera": make.contact(company, role="Viewer", name="Vera", email="vera@acme.example")}
    viewer = make.role("Viewer")
    viewer.permissions = [p for p in viewer.permissions if not p.startswith("invoices.")]
    make.contact(make.company(name="Other Ltd"), role="Admin", email="otto@other.example")
    db.session.commit()
    company.people = people
    return company


def sent(db, kind: str) -> list[str]:
    """The addresses emails of this kind were queued for, in order."""
    db.session.expire_all()
    return list(db.session.execute(select(OutboxEmail.to_address).filter_by(kind=kind)
                                   .order_by(OutboxEmail.id)).scalars())


def body(db, kind: str) -> str:
    return db.session.execute(select(OutboxEmail.body_text).filter_by(kind=kind)).scalars().first()


# --- events in the back office ------------------------------------------------------------------------------

def test_a_new_invoice_is_due_after_the_terms_and_emailed_once_to_who_may_see_it(admin, db, acme):
    form = model_form(admin.get("/admin/invoice/new/"))
    form["company"] = str(acme.id)
    form["status"] = "open"
    form["issue_date"] = form["due_date"] = ""  # left empty: today, and due after the company's terms
    form.submit().follow()
    invoice = db.session.execute(select(Invoice)).scalar_one()
    assert (invoice.issue_date, invoice.due_date) == (clock.today(), clock.today() + timedelta(days=14))
    assert not receivables.is_overdue(invoice, invoice.due_date)
    assert receivables.is_overdue(invoice, invoice.due_date + timedelta(days=1))
    assert sent(db, "invoice_issued") == ["anna@acme.example"]  # Bert opted out, Vera may not see invoices
    text = body(db, "invoice_issued")
    assert invoice.number in text and invoice.due_date.strftime("%d %b %Y") in text
    assert f"/invoices/{invoice.id}" in text
    submit_edit(admin, "invoice", invoice.id, notes="Saved again")
    assert sent(db, "invoice_issued") == ["anna@acme.example"]


def test_a_draft_is_emailed_when_staff_issue_it_not_before(admin, db, make, acme):
    draft = make.invoice(acme, status=InvoiceStatus.draft, total="0.00")
    submit_edit(admin, "invoice", draft.id, notes="Still working on it")
    assert sent(db, "invoice_issued") == []
    submit_edit(admin, "invoice", draft.id, status="open")
    assert sent(db, "invoice_issued") == ["anna@acme.example"]
    # a second path reporting the same issue sends nothing more
    assert customer_notices.invoice_saved(db.session.get(Invoice, draft.id), InvoiceStatus.draft) == []


def test_confirming_an_order_emails_the_contacts_once(admin, db, make, acme):
    order = make.order(acme, status=OrderStatus.submitted, customer_reference="PO-77")
    submit_edit(admin, "sales-order", order.id, status="confirmed")
    assert sent(db, "order_confirmed") == ["anna@acme.example", "vera@acme.example"]  # Bert opted out
    assert "your reference PO-77" in body(db, "order_confirmed") and f"/orders/{order.id}" in body(db, "order_confirmed")
    submit_edit(admin, "sales-order", order.id, status="submitted")
    submit_edit(admin, "sales-order", order.id, status="confirmed")  # confirmed again: not news
    assert len(sent(db, "order_confirmed")) == 2


def test_a_shipment_leaving_and_arriving_is_emailed_once_each(admin, db, make, acme):
    shipment = make.shipment(acme, make.order(acme), status=ShipmentStatus.preparing, tracking_number="JD42")
    submit_edit(admin, "shipment", shipment.id, status="shipped")
    submit_edit(admin, "shipment", shipment.id, status="in_transit")  # still the same journey
    everyone = ["anna@acme.example", "bert@acme.example", "vera@acme.example"]
    assert sent(db, "shipment_dispatched") == everyone
    assert "Tracking number: JD42" in body(db, "shipment_dispatched")
    submit_edit(admin, "shipment", shipment.id, status="delivered")
    assert sent(db, "shipment_delivered") == ["anna@acme.example", "vera@acme.example"]  # Bert opted out
    # a carrier's tracking update reporting it again
    assert customer_notices.shipment_status_changed(shipment, ShipmentStatus.in_transit, ShipmentStatus.delivered) == []
    assert len(sent(db, "shipment_delivered")) == 2


def test_a_payment_staff_record_sends_a_receipt(admin, db, make, acme):
    invoice = make.invoice(acme, total="100.00")
    form = model_form(admin.get("/admin/payment/new/"))
    form["company"], form["invoice"], form["amount"] = str(acme.id), str(invoice.id), "40.00"
    form.submit().follow()
    receipt = db.session.execute(select(Payment)).scalar_one()
    assert sent(db, "payment_receipt") == ["anna@acme.example", "bert@acme.example"]  # Vera sees no invoices
    text = body(db, "payment_receipt")
    assert f"Receipt {receipt.number}: €40.00 on invoice {invoice.number}" in text
    assert f"/invoices/receipts/{receipt.id}" in text
    submit_edit(admin, "payment", receipt.id, reference="Corrected reference")
    assert len(sent(db, "payment_receipt")) == 2


def test_nothing_is_sent_while_the_feature_is_off_or_the_company_has_no_portal(admin, db, make, acme):
    settings.set_feature("shipments", False)
    shipment = make.shipment(make.company(name="No Portal BV", portal_access=False), status=ShipmentStatus.preparing)
    acme_shipment = make.shipment(acme, status=ShipmentStatus.preparing)
    assert customer_notices.shipment_status_changed(acme_shipment, None, ShipmentStatus.shipped) == []
    settings.set_feature("shipments", True)
    assert customer_notices.shipment_status_changed(shipment, None, ShipmentStatus.shipped) == []
    assert sent(db, "shipment_dispatched") == []


# --- payment reminders ----------------------------------------------------------------------------------------

def test_send_reminders_twice_sends_each_reminder_once_and_repeats_overdue_weekly(app, db, make, acme):
    due_soon = make.invoice(acme, due_in_days=3)
    make.invoice(acme, due_in_days=20)  # not yet: reminded 3 days before
    late = make.invoice(acme, total="100.00", due_in_days=-2, status=InvoiceStatus.partially_paid,
                        amount_paid=Decimal("60.00"))
    make.invoice(acme, due_in_days=-2, status=InvoiceStatus.paid, amount_paid=Decimal("121.00"))
    make.invoice(acme, due_in_days=-2, status=InvoiceStatus.draft)
    covered = make.company(name="Covered BV")
    make.contact(covered, role="Admin", email="carl@covered.example")
    make.invoice(covered, total="50.00", due_in_days=-5)
    make.credit_note(covered, None, total="50.00", status=CreditNoteStatus.issued)  # company credit covers it
    runner = app.test_cli_runner()

    first = runner.invoke(args=["send-reminders"])
    assert "Reminded 1 invoice(s) due soon and 1 overdue invoice(s) (4 email(s) queued)" in first.output
    second = runner.invoke(args=["send-reminders"])
    assert "Reminded 0 invoice(s) due soon and 0 overdue invoice(s)" in second.output
    assert sent(db, "invoice_due_soon") == ["anna@acme.example", "bert@acme.example"]
    assert sent(db, "invoice_overdue") == ["anna@acme.example", "bert@acme.example"]
    assert "€40.00 is still open" in body(db, "invoice_overdue") and late.number in body(db, "invoice_overdue")
    assert f"{due_soon.number} to Acme Tools is due on" in body(db, "invoice_due_soon")

    with clock.frozen(clock.today() + timedelta(days=6)):
        assert str(invoice_reminders.send_due()).startswith("Reminded 0 invoice(s) due soon and 1 overdue")
    with clock.frozen(clock.today() + timedelta(days=7)):  # a week after the first overdue reminder
        assert str(invoice_reminders.send_due()).startswith("Reminded 0 invoice(s) due soon and 1 overdue")
    assert len(sent(db, "invoice_overdue")) == 6  # late twice, due_soon once it was overdue: to both contacts


def test_with_the_overdue_interval_at_zero_an_invoice_is_reminded_once(db, make, acme):
    settings.save({"invoices.overdue_reminder_every_days": 0, "invoices.reminder_days_before": 0})
    make.invoice(acme, due_in_days=-1)
    make.invoice(acme, due_in_days=1)
    assert invoice_reminders.send_due().overdue == 1
    with clock.frozen(clock.today() + timedelta(days=30)):
        run = invoice_reminders.send_due()
    assert (run.due_soon, run.overdue) == (0, 1)  # only the other one, now overdue too


def test_a_reminder_another_run_recorded_meanwhile_is_not_sent_again(db, make, acme):
    """Two runs at once both find the invoice; the unique (invoice, kind, day) lets one of them send."""
    invoice = make.invoice(acme, due_in_days=-1)
    assert invoice_reminders.overdue(clock.today(), 7) == [invoice]
    db.session.add(InvoiceReminder(invoice_id=invoice.id, kind=invoice_reminders.OVERDUE, sent_on=clock.today()))
    db.session.flush()  # the other run's row
    assert invoice_reminders.remind(invoice, invoice_reminders.OVERDUE, clock.today()) == 0
    assert sent(db, "invoice_overdue") == []


def test_two_runs_at_once_send_each_reminder_once(app, committed_db, make):
    company = make.company(name="Twin Runs BV")
    make.contact(company, role="Finance", email="fin@twin.example")
    make.invoice(company, due_in_days=-3)
    start = threading.Barrier(2)

    def run() -> int:
        with app.app_context():
            start.wait(timeout=30)
            try:
                return invoice_reminders.send_due().overdue
            finally:
                committed_db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [f.result(timeout=60) for f in [pool.submit(run) for _ in range(2)]]
    assert sorted(runs) == [0, 1]
    assert sent(committed_db, "invoice_overdue") == ["fin@twin.example"]
    assert count(committed_db, InvoiceReminder) == 1


# --- one real delivery ------------------------------------------------------------------------------------

def test_a_dispatched_shipment_reaches_the_customer_by_smtp_and_its_link_opens_it(db, admin, make, mail_app,
                                                                                 smtp_server, testapp, login):
    company = make.company(name="Beta Parts")
    buyer = make.contact(company, role="Buyer", name="Bea", email="bea@beta.example")
    shipment = make.shipment(company, make.order(company), status=ShipmentStatus.preparing)
    submit_edit(admin, "shipment", shipment.id, status="shipped")
    deliver_due(mail_app)
    [message] = smtp_server.to("bea@beta.example")
    assert message["Subject"] == f"Shipment {shipment.number} is on its way"
    assert "Hello Bea" in text_of(message) and shipment.number in html_of(message)
    assert count(db, OutboxEmail) == 1
    customer = type(testapp)(testapp.app)
    login(customer, buyer)
    page = customer.get(link_in(message, f"/shipments/{shipment.id}")).maybe_follow()  # the link names the company
    assert page.status_int == 200 and shipment.number in page.text
