"""Staff see a supplier's answers on the purchase order screen and answer a proposed delivery date: accept
(it becomes the expected date) or decline; the supplier contact is emailed (real SMTP) and sees the answer."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from webtest import TestApp

from portal.models import AuditLog, DeliveryDateProposal, ProposalStatus, PurchaseOrder, PurchaseOrderStatus
from portal.services import clock
from portal.services import purchase_order_responses as responses
from portal.services.actor import Actor
from tests.fixtures_mail import link_in, text_of
from tests.ticket_helpers import flashes


@pytest.fixture
def acme(make):
    return make.supplier(name="Acme Steel")


@pytest.fixture
def sam(make, acme):
    return make.contact(acme, role="Buyer", name="Sam Supplier", email="sam@acme-steel.example")


@pytest.fixture
def order(make, acme):
    return make.purchase_order(acme, expected_date=clock.today() + timedelta(days=7))


def supplier_client(testapp, login, user) -> TestApp:
    client = TestApp(testapp.app)
    login(client, user, expect_success=False)
    return client


def propose_on_the_page(client, order, when, reason=""):
    form = client.get(f"/supplier/purchase-orders/{order.id}").forms["propose-date"]
    form["date"], form["reason"] = when.isoformat(), reason
    return form.submit().follow()


def edit_screen(admin, order):
    return admin.get("/admin/purchase-order/").click(href=rf"/admin/purchase-order/edit/\?id={order.id}\b")


def test_staff_see_the_answers_and_accept_the_proposed_date(
        db, admin, testapp, login, sam, order, mail_app, smtp_server):
    client = supplier_client(testapp, login, sam)
    client.get(f"/supplier/purchase-orders/{order.id}").forms["acknowledge"].submit()
    wanted = clock.today() + timedelta(days=20)
    propose_on_the_page(client, order, wanted, "Mill maintenance")
    note = client.get(f"/supplier/purchase-orders/{order.id}").forms["add-note"]
    note["body"] = "Call Piet at the gate."
    note.submit()

    screen = edit_screen(admin, order)
    panel = screen.html.select_one("#supplier-answers").get_text(" ", strip=True)
    assert "Acknowledged on" in panel and "Sam Supplier" in panel and "sam@acme-steel.example" in panel
    assert f"Proposed delivery date: {wanted.strftime('%d %b %Y')}" in panel and "Mill maintenance" in panel
    assert "Call Piet at the gate." in panel
    smtp_server.clear()

    res = screen.forms["proposal-accept"].submit().follow()
    assert "Proposed date accepted" in flashes(res)
    assert "No proposed delivery date waiting for an answer." in res.text
    db.session.expire_all()
    assert db.session.get(PurchaseOrder, order.id).expected_date == wanted

    [email] = smtp_server.to(sam.email)
    assert email["Subject"] == f"Purchase order {order.number}: new delivery date accepted"
    assert wanted.strftime("%d %b %Y") in text_of(email)
    page = client.get(link_in(email, f"/supplier/purchase-orders/{order.id}")).maybe_follow()
    assert page.html.select_one('[data-testid="expected-date"]').get_text() == wanted.strftime("%d %b %Y")
    assert "We accepted your proposed delivery date" in page.html.select_one("#proposal-answer").get_text()

    again = screen.forms["proposal-accept"].submit().follow()  # the same form sent twice
    assert "The proposal was accepted already." in flashes(again)
    assert len(smtp_server.to(sam.email)) == 1
    assert db.session.execute(select(func.count()).select_from(AuditLog)
                              .filter_by(action="purchase_order.accept_date")).scalar_one() == 1


def test_declining_keeps_the_expected_date_and_emails_the_message(
        db, admin, testapp, login, sam, order, mail_app, smtp_server):
    client = supplier_client(testapp, login, sam)
    wanted = clock.today() + timedelta(days=30)
    propose_on_the_page(client, order, wanted)
    smtp_server.clear()
    form = edit_screen(admin, order).forms["proposal-decline"]
    form["answer"] = "We need the rods before the 15th, sorry."
    res = form.submit().follow()
    assert "Proposed date declined" in flashes(res)
    db.session.expire_all()
    found = db.session.get(PurchaseOrder, order.id)
    assert found.expected_date == clock.today() + timedelta(days=7)
    assert db.session.execute(select(DeliveryDateProposal)).scalar_one().status == ProposalStatus.declined
    [email] = smtp_server.to(sam.email)
    assert email["Subject"] == f"Purchase order {order.number}: new delivery date declined"
    assert "We need the rods before the 15th, sorry." in text_of(email)
    page = client.get(f"/supplier/purchase-orders/{order.id}")
    assert "We declined your proposed delivery date" in page.text and "before the 15th" in page.text
    assert "propose-date" in page.forms  # the supplier may propose another date


def test_a_proposal_changed_after_staff_looked_is_not_accepted_blindly(db, admin, testapp, login, sam, order):
    client = supplier_client(testapp, login, sam)
    propose_on_the_page(client, order, clock.today() + timedelta(days=10))
    screen = edit_screen(admin, order)
    later = clock.today() + timedelta(days=40)
    propose_on_the_page(client, order, later)
    res = screen.forms["proposal-accept"].submit().follow()
    assert "The supplier changed the proposal meanwhile" in flashes(res) and "Nothing was changed." in flashes(res)
    db.session.expire_all()
    assert db.session.get(PurchaseOrder, order.id).expected_date == clock.today() + timedelta(days=7)
    assert f"Proposed delivery date: {later.strftime('%d %b %Y')}" in res.text


def test_a_cancelled_order_s_proposal_can_only_be_declined(db, make, acme, sam, order, staff):
    responses.propose_date(order, (clock.today() + timedelta(days=3)).isoformat(), "", Actor.of(sam))
    order.status = PurchaseOrderStatus.cancelled
    db.session.flush()
    proposal = responses.pending_proposal(order)
    with pytest.raises(responses.ResponseError, match="decline the proposal instead"):
        responses.accept_proposal(order, proposal.id, None, staff)
    responses.decline_proposal(order, proposal.id, None, "", staff)
    assert proposal.status == ProposalStatus.declined


def test_a_proposal_of_another_order_is_refused(db, make, acme, sam, order, staff):
    other = make.purchase_order(acme)
    proposal = responses.propose_date(other, (clock.today() + timedelta(days=3)).isoformat(), "", Actor.of(sam))
    with pytest.raises(responses.ResponseError, match="does not belong"):
        responses.accept_proposal(order, proposal.id, None, staff)


def test_the_staff_screen_of_an_order_without_answers_says_so(admin, order):
    panel = edit_screen(admin, order).html.select_one("#supplier-answers").get_text(" ", strip=True)
    assert "Not acknowledged yet." in panel and "No proposed delivery date waiting" in panel and "No notes." in panel
