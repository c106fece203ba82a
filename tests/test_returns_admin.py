"""Returns end to end with staff over HTTP: every status change emailed to the requester (read from a real
SMTP server), the handling screen's steps, the return slip PDF, one credit note for a double click."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from webtest import TestApp

from portal.models import CreditNote, NotificationRoute, ReturnRequest, ReturnStatus
from tests.fixtures_mail import link_in, text_of
from tests.return_helpers import delivered_order, request_form
from tests.ticket_helpers import flashes, png_bytes

TEAM = "returns@northwind.example"


@pytest.fixture
def acme(make):
    return make.company(name="ACME Tools")


@pytest.fixture
def buyer(make, acme):
    return make.contact(acme, role="Buyer", name="Bea Buyer", email="bea@acme.example")


def customer(testapp, login, user) -> TestApp:
    client = TestApp(testapp.app)
    login(client, user)
    return client


def handling_screen(admin, number: str):
    return admin.get("/admin/return-request/").click(number)


def test_a_return_from_request_to_credit_note_with_every_step_emailed(
        db, admin, testapp, login, make, acme, buyer, mail_app, smtp_server):
    db.session.add(NotificationRoute(kind="return_requested", team_email=TEAM))
    db.session.commit()
    order = delivered_order(make, acme)
    bea = customer(testapp, login, buyer)
    res = request_form(bea, order, {order.lines[0]: ("2", "damaged")}, files=(("box.png", png_bytes()),))
    assert res.status_int == 302, flashes(res)
    made = db.session.execute(select(ReturnRequest)).scalar_one()
    [to_team] = smtp_server.to(TEAM)
    assert "A customer requested a return" in text_of(to_team) and made.number in text_of(to_team)
    [requested] = smtp_server.to(buyer.email)
    assert requested["Subject"] == f"Return {made.number} requested"
    smtp_server.clear()

    page = handling_screen(admin, made.number)
    assert "Damaged" in page.text and page.click("box.png").body == png_bytes()
    form = page.forms["return-approve"]
    form["instructions"] = "Send the two boxes to Dock 4, Tilburg."
    page = form.submit().follow()
    assert "Approved" in page.text
    [approved] = smtp_server.to(buyer.email)
    assert "Send the two boxes to Dock 4, Tilburg." in text_of(approved)
    return_page = bea.get(link_in(approved, f"/returns/{made.id}")).maybe_follow()
    assert "Send the two boxes to Dock 4, Tilburg." in return_page.text
    slip = return_page.click("Download the return slip")
    assert slip.content_type == "application/pdf" and slip.body.startswith(b"%PDF")
    assert slip.headers["Content-Disposition"] == f'attachment; filename="return-slip-{made.number}.pdf"'
    smtp_server.clear()

    form = page.forms["return-receive"]
    form[f"received-{made.lines[0].id}"] = "1"
    page = form.submit().follow()
    [received] = smtp_server.to(buyer.email)
    assert received["Subject"] == f"Return {made.number} received"
    smtp_server.clear()

    credit = page.forms["return-credit"]
    page = credit.submit().follow()
    again = credit.submit().follow()  # the same form sent twice (a double click)
    assert "only a received return is credited, once" in again.text
    assert db.session.execute(select(func.count()).select_from(CreditNote)).scalar_one() == 1
    note = db.session.execute(select(CreditNote)).scalar_one()
    assert note.total == order.lines[0].unit_price * 1 * 121 / 100  # one unit of 25.00 plus 21% tax
    [credited] = smtp_server.to(buyer.email)
    assert note.number in text_of(credited) and note.number in page.text

    final = bea.get(f"/returns/{made.id}")
    assert "Credited with credit note" in final.text and note.number in final.text
    assert final.click(note.number).request.path == f"/invoices/credit-notes/{note.id}"


def test_a_rejection_is_emailed_with_its_reason_and_gives_the_goods_back(
        db, admin, testapp, login, make, acme, buyer, mail_app, smtp_server):
    order = delivered_order(make, acme)
    bea = customer(testapp, login, buyer)
    request_form(bea, order, {order.lines[0]: ("4", "not_needed")})
    made = db.session.execute(select(ReturnRequest)).scalar_one()
    smtp_server.clear()
    page = handling_screen(admin, made.number)
    res = page.forms["return-reject"].submit().follow()  # no reason given
    assert "Say why the return is rejected" in res.text and "Nothing was changed." in res.text
    form = page.forms["return-reject"]
    form["reason"] = "Opened packs of screws cannot be returned."
    form.submit().follow()
    [rejected] = smtp_server.to(buyer.email)
    assert "Opened packs of screws cannot be returned." in text_of(rejected)
    db.session.expire_all()
    assert db.session.get(ReturnRequest, made.id).status == ReturnStatus.rejected
    assert "Request a return" in bea.get(f"/orders/{order.id}").text  # all 4 can be asked for again
