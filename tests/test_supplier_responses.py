"""A supplier answers our purchase orders over HTTP: acknowledge (once), propose another delivery date, add
notes; staff hear about each (email read from a real SMTP server, in-app notification); bad input and
double submits change nothing; roles and other companies are refused."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from webtest import TestApp

from portal.models import (
    AuditLog,
    DeliveryDateProposal,
    Notification,
    NotificationRoute,
    OutboxEmail,
    PortalEvent,
    ProposalStatus,
    PurchaseOrder,
    PurchaseOrderNote,
    PurchaseOrderStatus,
)
from portal.services import clock
from portal.services import purchase_order_responses as responses
from portal.services.actor import Actor
from tests.fixtures_mail import text_of
from tests.ticket_helpers import flashes

TEAM = "purchasing@northwind.example"


@pytest.fixture
def acme(make):
    return make.supplier(name="Acme Steel")


@pytest.fixture
def sam(make, acme):
    return make.contact(acme, role="Buyer", name="Sam Supplier", email="sam@acme-steel.example")


@pytest.fixture
def order(make, acme):
    po = make.purchase_order(acme, expected_date=clock.today() + timedelta(days=7))
    make.purchase_order_line(po, "Steel rod 8mm", "100", "2.50")
    return po


def signed_in(testapp, login, user) -> TestApp:
    client = TestApp(testapp.app)
    login(client, user, expect_success=False)  # supplier-only companies have no dashboard to follow to
    return client


def page_of(client, order):
    return client.get(f"/supplier/purchase-orders/{order.id}")


def count(db, model, *where) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def field_error(res) -> str:
    return " ".join(n.get_text(" ", strip=True) for n in res.html.select(".field-error, .flash"))


def route_to_staff(db, kind, staff):
    db.session.add(NotificationRoute(kind=kind, recipient_user_id=staff.id, team_email=TEAM))
    db.session.commit()


def csrf_of(client) -> str:
    return client.get("/account").forms["profile"]["csrf_token"].value


# --- acknowledge ----------------------------------------------------------------------------------

def test_acknowledging_records_who_and_when_once_and_tells_staff(
        db, testapp, login, sam, order, staff, mail_app, smtp_server):
    route_to_staff(db, responses.ACKNOWLEDGED, staff)
    client = signed_in(testapp, login, sam)
    page = page_of(client, order)
    form = page.forms["acknowledge"]
    res = form.submit().follow()
    assert "purchase order" in flashes(res) and "is acknowledged" in flashes(res)
    assert "Sam Supplier" in res.html.select_one("#acknowledged").get_text()
    assert "Acknowledged" in res.html.select_one("h1").get_text()
    assert "acknowledge" not in res.forms  # the button is gone

    again = form.submit().follow()  # the same form sent twice (a double click, or a second tab)
    assert "was acknowledged already" in flashes(again)

    db.session.expire_all()
    found = db.session.get(PurchaseOrder, order.id)
    assert found.status == PurchaseOrderStatus.acknowledged and found.acknowledged_by_id == sam.id
    assert found.acknowledged_dt is not None
    assert count(db, AuditLog, AuditLog.action == "purchase_order.acknowledge") == 1
    assert count(db, PortalEvent, PortalEvent.kind == responses.ACKNOWLEDGED) == 1
    [to_team] = smtp_server.to(TEAM)
    assert to_team["Subject"] == "A supplier acknowledged a purchase order: Acme Steel"
    assert f"Sam Supplier acknowledged purchase order {order.number}." in text_of(to_team)
    assert len(smtp_server.to(staff.email)) == 1
    [notice] = db.session.execute(select(Notification).filter_by(user_id=staff.id)).scalars()
    assert notice.link == f"/admin/purchase-order/edit/?id={order.id}"


@pytest.mark.parametrize("status, word", [(PurchaseOrderStatus.received, "received already"),
                                          (PurchaseOrderStatus.cancelled, "cancelled")])
def test_a_received_or_cancelled_order_cannot_be_acknowledged(db, testapp, login, sam, make, acme, status, word):
    po = make.purchase_order(acme, status=status)
    client = signed_in(testapp, login, sam)
    page = page_of(client, po)
    assert "acknowledge" not in page.forms
    res = client.post(f"/supplier/purchase-orders/{po.id}/acknowledge", {"csrf_token": csrf_of(client)}, status=400)
    assert f"This purchase order is {word}: there is nothing to acknowledge." in res.html.select_one(
        "#answer-error").get_text()
    assert "Nothing was changed." in res.text
    db.session.expire_all()
    found = db.session.get(PurchaseOrder, po.id)
    assert found.status == status and found.acknowledged_dt is None


def test_service_acknowledges_once_and_keeps_the_first_person(db, make, acme, order):
    first, second = make.contact(acme, role="Admin"), make.contact(acme, role="Buyer")
    assert responses.acknowledge(order, Actor.of(first)) is True
    assert responses.acknowledge(order, Actor.of(second)) is False
    assert order.acknowledged_by_id == first.id


# --- propose a delivery date ---------------------------------------------------------------------------

def propose(page, when: str, reason: str = ""):
    form = page.forms["propose-date"]
    form["date"], form["reason"] = when, reason
    return form


def test_proposing_a_date_waits_for_staff_and_tells_them_once(
        db, testapp, login, sam, order, staff, mail_app, smtp_server):
    route_to_staff(db, responses.DATE_PROPOSED, staff)
    client = signed_in(testapp, login, sam)
    wanted = clock.today() + timedelta(days=21)
    form = propose(page_of(client, order), wanted.isoformat(), "Rolling mill maintenance")
    res = form.submit().follow()
    assert "Your proposed delivery date is sent." in flashes(res)
    pending = res.html.select_one("#pending-proposal").get_text(" ", strip=True)
    assert wanted.strftime("%d %b %Y") in pending and "Rolling mill maintenance" in pending
    # the expected date stays until staff accept
    expected = (clock.today() + timedelta(days=7)).strftime("%d %b %Y")
    assert res.html.select_one('[data-testid="expected-date"]').get_text() == expected

    form.submit().follow()  # sent twice
    assert count(db, DeliveryDateProposal) == 1
    [to_team] = smtp_server.to(TEAM)
    assert "A supplier proposed a new delivery date" in text_of(to_team)
    assert wanted.isoformat() in text_of(to_team) and "Rolling mill maintenance" in text_of(to_team)

    later = clock.today() + timedelta(days=30)
    propose(res, later.isoformat()).submit().follow()  # a new proposal replaces the pending one
    [proposal] = db.session.execute(select(DeliveryDateProposal)).scalars()
    assert (proposal.proposed_date, proposal.reason, proposal.status) == (later, "", ProposalStatus.pending)
    assert len(smtp_server.to(TEAM)) == 2


@pytest.mark.parametrize("when, message", [
    ("2020-01-01", "The new delivery date cannot be in the past."),
    ("2027-02-30", "Enter a real date, such as 2027-03-31."),
    ("next tuesday", "Enter a real date, such as 2027-03-31."),
    ("20270301", "Enter a real date, such as 2027-03-31."),
    ("", "Choose the date you can deliver on."),
])
def test_a_bad_date_gets_a_message_and_changes_nothing(db, testapp, login, sam, order, when, message):
    client = signed_in(testapp, login, sam)
    res = propose(page_of(client, order), when, "Because").submit(status=400)
    assert message in field_error(res) and "Nothing was changed." in field_error(res)
    assert res.forms["propose-date"]["reason"].value == "Because"  # what was typed is kept
    assert count(db, DeliveryDateProposal) == 0
    assert count(db, AuditLog) == 0


def test_an_over_long_reason_or_the_current_date_is_refused(db, testapp, login, sam, order):
    client = signed_in(testapp, login, sam)
    when = (clock.today() + timedelta(days=9)).isoformat()
    res = propose(page_of(client, order), when, "x" * (responses.REASON_LIMIT + 1)).submit(status=400)
    assert "The reason has at most 500 characters." in field_error(res)
    res = propose(page_of(client, order), order.expected_date.isoformat()).submit(status=400)
    assert "That is the expected delivery date already." in field_error(res)
    assert count(db, DeliveryDateProposal) == 0


def test_today_is_a_date_a_supplier_may_propose(db, testapp, login, sam, order):
    client = signed_in(testapp, login, sam)
    propose(page_of(client, order), clock.today().isoformat()).submit().follow()
    assert count(db, DeliveryDateProposal, DeliveryDateProposal.proposed_date == clock.today()) == 1


def test_a_received_order_offers_no_date_and_refuses_one(db, testapp, login, sam, make, acme):
    po = make.purchase_order(acme, status=PurchaseOrderStatus.received)
    client = signed_in(testapp, login, sam)
    assert "propose-date" not in page_of(client, po).forms
    res = client.post(f"/supplier/purchase-orders/{po.id}/propose-date",
                      {"csrf_token": csrf_of(client), "date": (clock.today() + timedelta(days=3)).isoformat()},
                      status=400)
    assert "its delivery date no longer changes" in res.text
    assert count(db, DeliveryDateProposal) == 0


# --- notes -------------------------------------------------------------------------------------------------

def test_notes_form_a_thread_staff_hear_about(db, testapp, login, sam, order, staff, mail_app, smtp_server):
    route_to_staff(db, responses.NOTE_ADDED, staff)
    client = signed_in(testapp, login, sam)
    form = page_of(client, order).forms["add-note"]
    form["body"] = "Half of the rods ship Monday, the rest Thursday."
    res = form.submit().follow()
    form.submit().follow()  # a double click keeps one note
    res = res.forms["add-note"]
    res["body"] = "Truck plate: 12-ABC-3"
    page = res.submit().follow()
    notes = [li.select_one(".prewrap").get_text() for li in page.html.select("li.supplier-note")]
    assert notes == ["Half of the rods ship Monday, the rest Thursday.", "Truck plate: 12-ABC-3"]
    assert "Sam Supplier" in page.html.select_one("li.supplier-note").get_text()
    assert count(db, PurchaseOrderNote) == 2
    bodies = [text_of(m) for m in smtp_server.to(TEAM)]
    assert len(bodies) == 2 and "Half of the rods ship Monday" in bodies[0]


@pytest.mark.parametrize("body, message", [("   ", "Write a note first."),
                                           ("x" * 1001, "A note has at most 1,000 characters.")])
def test_an_empty_or_over_long_note_is_refused(db, testapp, login, sam, order, body, message):
    client = signed_in(testapp, login, sam)
    form = page_of(client, order).forms["add-note"]
    form["body"] = body
    res = form.submit(status=400)
    assert message in field_error(res)
    assert count(db, PurchaseOrderNote) == 0 and count(db, OutboxEmail) == 0


# --- who may answer ------------------------------------------------------------------------------------------

RESPONSES = ("acknowledge", "propose-date", "notes")


@pytest.mark.parametrize("role", ["Viewer", "Finance"])
def test_a_viewer_reads_but_has_no_buttons_and_posts_are_403(db, testapp, login, make, acme, order, role):
    responses.add_note(order, "Shipping Friday", Actor.of(make.contact(acme, role="Admin", name="Ada Admin")))
    db.session.commit()
    client = signed_in(testapp, login, make.contact(acme, role=role))
    page = page_of(client, order)
    assert "Shipping Friday" in page.text and "Ada Admin" in page.text
    assert not {"acknowledge", "propose-date", "add-note"} & set(page.forms)
    assert page.html.select("#download-pdf")
    token = csrf_of(client)
    for action in RESPONSES:
        client.post(f"/supplier/purchase-orders/{order.id}/{action}",
                    {"csrf_token": token, "date": "2031-01-01", "body": "Hi"}, status=403)
    db.session.expire_all()
    assert db.session.get(PurchaseOrder, order.id).acknowledged_dt is None
    assert count(db, DeliveryDateProposal) == 0 and count(db, PurchaseOrderNote) == 1


def test_another_supplier_and_a_customer_get_404_on_every_new_route(db, testapp, login, make, order):
    urls = [f"/supplier/purchase-orders/{order.id}/{action}" for action in RESPONSES]
    bill = make.supplier_bill(order.company)
    gets = [f"/supplier/purchase-orders/{order.id}/pdf", f"/supplier/bills/{bill.id}/pdf"]
    for user in (make.contact(make.supplier(name="Bolt Brothers"), role="Admin"),
                 make.contact(make.company(name="Just A Customer"), role="Admin")):
        client = signed_in(testapp, login, user)
        token = csrf_of(client)
        for url in urls:
            client.post(url, {"csrf_token": token, "date": "2031-01-01", "body": "Hi"}, status=404)
        for url in gets:
            client.get(url, status=404)
    db.session.expire_all()
    assert db.session.get(PurchaseOrder, order.id).acknowledged_dt is None
    assert count(db, DeliveryDateProposal) == 0 and count(db, PurchaseOrderNote) == 0


def test_a_draft_purchase_order_takes_no_answers(db, testapp, login, sam, make, acme):
    draft = make.purchase_order(acme, status=PurchaseOrderStatus.draft)
    client = signed_in(testapp, login, sam)
    token = csrf_of(client)
    for action in RESPONSES:
        client.post(f"/supplier/purchase-orders/{draft.id}/{action}", {"csrf_token": token, "body": "Hi"},
                    status=404)
    client.get(f"/supplier/purchase-orders/{draft.id}/pdf", status=404)
    db.session.expire_all()
    kept = db.session.get(PurchaseOrder, draft.id)
    assert kept.acknowledged_dt is None and kept.status == PurchaseOrderStatus.draft
    assert not kept.supplier_notes and not kept.date_proposals


def test_a_post_without_the_form_token_changes_nothing(db, testapp, login, sam, order):
    client = signed_in(testapp, login, sam)
    client.post(f"/supplier/purchase-orders/{order.id}/acknowledge", {}, status=400)
    db.session.expire_all()
    assert db.session.get(PurchaseOrder, order.id).acknowledged_dt is None


def test_the_today_used_by_the_rules_is_the_clocks(db, make, acme, order):
    with clock.frozen(date(2030, 6, 1)):
        with pytest.raises(responses.ResponseError, match="in the past"):
            responses.propose_date(order, "2030-05-31", "", Actor.of(make.contact(acme)))
        assert responses.propose_date(order, "2030-06-01", "", Actor.of(make.contact(acme))) is not None
