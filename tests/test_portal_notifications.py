"""Issue 11 item 6: every customer-side event tells the right people in the portal (the bell) and emails those
whose preferences want it — once per event, only while its feature is on, never other companies, never roles
that may not see the subject; reps hear about their customers' quotes and approvals.

The pages (bell, list, mark read) are tests/test_portal_notifications_pages.py."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import settings
from portal.models import (
    ApprovalDecision,
    InvoiceStatus,
    Notification,
    OrderStatus,
    OutboxEmail,
    RepAccess,
    ReturnRequest,
    ShipmentStatus,
    User,
)
from portal.services import (
    approvals,
    clock,
    customer_notices,
    invoice_reminders,
    portal_notices,
    quote_acceptance,
    return_handling,
    returns,
    tickets,
)
from portal.services.actor import Actor
from portal.services.outbox import deliver_due
from tests.fixtures_admin import submit_edit
from tests.return_helpers import delivered_order
from tests.test_quote_acceptance import make_priced_quote


@pytest.fixture
def acme(make, db):
    """Acme: Anna (Admin, every email), Bert (Buyer, no delivery or new-invoice emails), Vera (Viewer, whose
    role may not see invoices); a rep allocated to Acme, one for every customer, one allocated elsewhere;
    Otto is another company's Admin."""
    company = make.company(name="Acme Tools", payment_terms_days=14)
    other = make.company(name="Other Ltd")
    company.people = {
        "anna": make.contact(company, role="Admin", name="Anna", email="anna@acme.example"),
        "bert": make.contact(company, role="Buyer", name="Bert", email="bert@acme.example",
                             notification_prefs={"shipment_delivered": False, "invoice_issued": False,
                                                 "invoice_due_soon": False, "invoice_overdue": False}),
        "vera": make.contact(company, role="Viewer", name="Vera", email="vera@acme.example"),
        "otto": make.contact(other, role="Admin", name="Otto", email="otto@other.example"),
        "rita": make.rep(allocated=[company], name="Rita Rep", email="rita@sales.example"),
        "alex": make.rep(access=RepAccess.all, name="Alex All", email="alex@sales.example"),
        "olga": make.rep(allocated=[other], name="Olga Other", email="olga@sales.example"),
    }
    viewer = make.role("Viewer")
    viewer.permissions = [p for p in viewer.permissions if not p.startswith("invoices.")]
    db.session.commit()
    company.other = other
    return company


def told(db, kind: str) -> list[str]:
    """Who got a portal notification of this kind (emails, sorted), each once per row."""
    db.session.expire_all()
    return sorted(db.session.execute(select(User.email).join(Notification, Notification.user_id == User.id)
                                     .where(Notification.kind == kind, Notification.company_id.is_not(None))
                                     ).scalars())


def one(db, kind: str) -> Notification:
    return db.session.execute(select(Notification).filter_by(kind=kind).where(Notification.company_id.is_not(None))
                              .limit(1)).scalar_one()


def emailed(mail_app, smtp_server) -> list[tuple[str, str]]:
    """Deliver the outbox over real SMTP: (recipient, subject) of what arrived, sorted."""
    deliver_due(mail_app)
    return sorted((m["To"], m["Subject"]) for m in smtp_server.messages)


# --- documents: shipments, invoices, orders (also emailed by preference) ------------------------------------

def test_a_delivered_shipment_tells_everyone_who_may_see_it_and_emails_by_preference(
        db, admin, make, acme, mail_app, smtp_server):
    shipment = make.shipment(acme, make.order(acme), status=ShipmentStatus.in_transit)
    submit_edit(admin, "shipment", shipment.id, status="delivered")
    assert told(db, "shipment_delivered") == ["anna@acme.example", "bert@acme.example", "vera@acme.example"]
    row = one(db, "shipment_delivered")
    assert (row.company_id, row.title, row.link) == (acme.id, shipment.number, f"/shipments/{shipment.id}")
    assert [to for to, _ in emailed(mail_app, smtp_server)] == ["anna@acme.example", "vera@acme.example"]
    # a carrier's update reporting it again, and a second save: nothing more, in the app or by email
    customer_notices.shipment_status_changed(shipment, ShipmentStatus.in_transit, ShipmentStatus.delivered)
    submit_edit(admin, "shipment", shipment.id, carrier="DHL")
    db.session.commit()
    assert len(told(db, "shipment_delivered")) == 3
    smtp_server.clear()
    assert emailed(mail_app, smtp_server) == []


def test_a_new_invoice_is_told_only_to_roles_that_see_invoices(db, admin, make, acme):
    invoice = make.invoice(acme, status=InvoiceStatus.draft, total="0.00")
    submit_edit(admin, "invoice", invoice.id, status="open")
    assert told(db, "invoice_issued") == ["anna@acme.example", "bert@acme.example"]  # Vera may not see invoices
    assert one(db, "invoice_issued").link == f"/invoices/{invoice.id}"


def test_a_confirmed_order_reaches_the_company_and_no_other(db, admin, make, acme):
    order = make.order(acme, status=OrderStatus.submitted)
    submit_edit(admin, "sales-order", order.id, status="confirmed")
    assert told(db, "order_confirmed") == ["anna@acme.example", "bert@acme.example", "vera@acme.example"]


def test_nothing_is_told_while_the_feature_is_off(db, make, acme):
    settings.set_feature("shipments", False)
    shipment = make.shipment(acme, status=ShipmentStatus.preparing)
    customer_notices.shipment_status_changed(shipment, None, ShipmentStatus.shipped)
    assert told(db, "shipment_dispatched") == []
    settings.set_feature("shipments", True)  # switched on again: the event was not used up
    customer_notices.shipment_status_changed(shipment, None, ShipmentStatus.shipped)
    assert len(told(db, "shipment_dispatched")) == 3


# --- quotes and approvals: the company and its reps ---------------------------------------------------------

def test_an_accepted_quote_tells_the_company_and_its_reps_once(db, make, acme):
    quote = make_priced_quote(make, db, company=acme)
    quote_acceptance.accept(quote, quote_acceptance.Signing("Anna", "anna@acme.example", True),
                            by=Actor.of(acme.people["anna"]))
    quote_acceptance.accept(quote, quote_acceptance.Signing("Anna", "anna@acme.example", True),
                            by=Actor.of(acme.people["anna"]))  # a second press
    db.session.commit()
    assert told(db, "quote_accepted") == ["alex@sales.example", "anna@acme.example", "bert@acme.example",
                                          "rita@sales.example", "vera@acme.example"]  # not Olga, not Otto
    # Rita's back-office notification (staff_notices) stays what it was: one, linking to /admin
    assert [n.link.startswith("/admin/") for n in db.session.execute(
        select(Notification).filter_by(user_id=acme.people["rita"].id, company_id=None)).scalars()] == [True]
    row = one(db, "quote_accepted")
    assert row.link == f"/quotes/{quote.id}" and row.company_id == acme.id


def test_an_approval_decision_tells_the_buyer_and_the_reps(db, make, acme):
    bert, anna = acme.people["bert"], acme.people["anna"]
    order = make.order(acme, status=OrderStatus.pending_approval, approval_reason="customer", placed_by=bert)
    approvals.decide(order, ApprovalDecision.approved, "Fine", by=Actor.of(anna))
    assert told(db, "order_approved") == ["alex@sales.example", "bert@acme.example", "rita@sales.example"]
    other = make.order(acme, status=OrderStatus.pending_approval, approval_reason="customer", placed_by=bert)
    approvals.decide(other, ApprovalDecision.rejected, "Too many widgets.", by=Actor.of(anna))
    assert told(db, "order_rejected") == ["alex@sales.example", "bert@acme.example", "rita@sales.example"]
    assert one(db, "order_rejected").body == "Too many widgets."


# --- tickets, returns: the people who asked ------------------------------------------------------------------

def test_a_staff_reply_tells_the_tickets_followers_only(db, make, acme, staff):
    ticket = make.ticket(acme, opened_by=acme.people["bert"])
    tickets.staff_reply(ticket, "We send two new boxes today.", staff=staff)
    tickets.internal_note(ticket, "Courier's fault", staff=staff)
    assert told(db, "ticket_reply") == ["bert@acme.example"]  # not Anna, who did not write on it
    row = one(db, "ticket_reply")
    assert "We send two new boxes today." in row.body and "Courier" not in row.body
    assert row.link == f"/tickets/{ticket.id}"
    tickets.staff_reply(ticket, "They left the warehouse.", staff=staff)
    assert told(db, "ticket_reply") == ["bert@acme.example"] * 2  # each reply is news


def test_each_step_of_a_return_tells_the_requester(db, make, acme, staff):
    bert = acme.people["bert"]
    order = delivered_order(make, acme)
    made = returns.request_return(order, [returns.LineChoice(order.lines[0].id, "2", "damaged")],
                                  by=Actor.of(bert))
    return_handling.approve(made, "Send it back in the original box.", staff=staff)
    assert told(db, "return_approved") == ["bert@acme.example"]
    assert one(db, "return_approved").link == f"/returns/{made.id}"
    return_handling.receive(made, {}, staff=staff)
    note = return_handling.credit(db.session.get(ReturnRequest, made.id), staff=staff)
    assert told(db, "return_credited") == ["bert@acme.example"]
    assert one(db, "return_credited").body == note.number
    second = returns.request_return(order, [returns.LineChoice(order.lines[1].id, "1", "not_needed")],
                                    by=Actor.of(bert))
    return_handling.reject(second, "Opened packs cannot come back.", staff=staff)
    assert told(db, "return_rejected") == ["bert@acme.example"]


# --- invoice reminders ---------------------------------------------------------------------------------------

def test_a_reminder_is_told_in_the_app_to_every_reader_and_emailed_by_preference_once(
        db, make, acme, mail_app, smtp_server):
    today = clock.today()
    make.invoice(acme, total="100.00", issue_date=today - timedelta(days=10), due_in_days=2)
    make.invoice(acme, total="50.00", issue_date=today - timedelta(days=40), due_in_days=-5)
    db.session.commit()
    invoice_reminders.send_due(today, commit=False)
    invoice_reminders.send_due(today, commit=False)  # the command run twice
    assert told(db, "invoice_due_soon") == ["anna@acme.example", "bert@acme.example"]
    assert told(db, "invoice_overdue") == ["anna@acme.example", "bert@acme.example"]
    assert [to for to, _ in emailed(mail_app, smtp_server)] == ["anna@acme.example"] * 2  # Bert opted out


# --- links ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("forged", ["https://evil.example/orders/1", "//evil.example/orders", "/\\evil.example",
                                    "javascript:alert(1)", "/admin/sales-order/", "/orders/%2F%2Fevil.example",
                                    "orders/1"])
def test_a_link_that_is_not_a_portal_path_of_this_site_is_never_stored(db, make, acme, forged):
    portal_notices.notify_company("order_confirmed", f"forged:{forged}", acme, permission="orders.view",
                                  title="SO-1", page=forged)
    assert {row.link for row in db.session.execute(select(Notification)).scalars()} == {None}


def test_an_undeclared_kind_is_refused(db, acme):
    with pytest.raises(KeyError):
        portal_notices.notify_company("something_else", "x:1", acme, permission="orders.view", title="x", page=None)


def test_the_same_event_told_by_two_workers_at_once_is_told_once(app, committed_db, make):
    """A repeated webhook and a staff save reporting one delivery at the same moment: one notification and
    one email per person (the event key is claimed by one transaction; the other waits, then does nothing)."""
    company = make.company(name="Twin Parcels BV")
    make.contact(company, role="Buyer", email="ben@twin.example")
    shipment = make.shipment(company, status=ShipmentStatus.in_transit)
    model, shipment_id = type(shipment), shipment.id  # read here: the threads use sessions of their own
    start = threading.Barrier(2)

    def report() -> int:
        with app.app_context():
            start.wait(timeout=30)
            try:
                found = committed_db.session.get(model, shipment_id)
                emails = customer_notices.shipment_status_changed(found, ShipmentStatus.in_transit,
                                                                  ShipmentStatus.delivered)
                committed_db.session.commit()
                return len(emails)
            finally:
                committed_db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [f.result(timeout=60) for f in [pool.submit(report) for _ in range(2)]]
    assert sorted(results) == [0, 1]
    assert told(committed_db, "shipment_delivered") == ["ben@twin.example"]
    assert committed_db.session.execute(select(func.count()).select_from(OutboxEmail)
                                        .filter_by(kind="shipment_delivered")).scalar_one() == 1
