"""Support tickets end to end with staff: emails read from a real SMTP server, the thread screen, notes."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from webtest import TestApp, Upload

from portal import settings
from portal.models import NotificationRoute, Ticket, TicketStatus
from tests.fixtures_mail import link_in, text_of
from tests.ticket_helpers import PDF, flashes, open_ticket

TEAM = "support@northwind.example"


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


def routes_to_team(db) -> None:
    for kind in ("ticket_opened", "ticket_customer_reply"):
        db.session.add(NotificationRoute(kind=kind, team_email=TEAM))
    db.session.commit()


def thread_of(admin, ticket: Ticket):
    listing = admin.get("/admin/ticket/")
    return listing.click(ticket.number)


def test_a_ticket_from_opening_to_staff_reply_note_customer_reply_and_resolution(
        db, admin, testapp, login, make, acme, buyer, staff, mail_app, smtp_server):
    routes_to_team(db)
    colleague = make.contact(acme, role="Finance", name="Fay Finance", email="fay@acme.example")
    db.session.commit()
    bea = customer(testapp, login, buyer)
    assert open_ticket(bea, subject="Pallet arrived damaged", files=(("photo.pdf", PDF),)).status_int == 302
    ticket = db.session.execute(select(Ticket)).scalar_one()
    [opened] = smtp_server.to(TEAM)
    assert "A customer opened a support ticket" in text_of(opened) and ticket.number in text_of(opened)

    fay = customer(testapp, login, colleague)
    form = fay.get(f"/tickets/{ticket.id}").forms["reply"]
    form["body"] = "We also need the delivery note."
    form.submit().follow()
    assert len(smtp_server.to(TEAM)) == 2
    smtp_server.clear()

    page = thread_of(admin, ticket)
    assert "Two boxes were crushed." in page.text and "photo.pdf" in page.text
    download = page.click("photo.pdf")
    assert download.body == PDF and download.headers["Content-Disposition"].startswith("attachment")

    form = page.forms["ticket-message"]
    form["body"] = "Our driver noted it as well: a credit is on its way."
    form["files"] = [Upload("credit.pdf", PDF)]
    page = form.submit().follow()
    assert "Reply sent" in flashes(page)
    [to_bea] = smtp_server.to(buyer.email)
    [to_fay] = smtp_server.to(colleague.email)
    assert ticket.number in to_bea["Subject"]
    assert "a credit is on its way" in text_of(to_bea) and "Stella Staff" in text_of(to_fay)
    customer_page = bea.get(link_in(to_bea, f"/tickets/{ticket.id}")).maybe_follow()
    assert "a credit is on its way" in customer_page.text and "credit.pdf" in customer_page.text
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == TicketStatus.waiting_on_customer

    smtp_server.clear()
    form = page.forms["ticket-message"]
    form["body"] = "Driver was late again; check the carrier contract."
    form["kind"] = "note"
    page = form.submit().follow()
    assert "Internal note saved" in flashes(page)
    assert "check the carrier contract" in page.text and "Internal note" in page.text
    assert smtp_server.messages == []
    assert "check the carrier contract" not in bea.get(f"/tickets/{ticket.id}").text

    form = page.forms["ticket-manage"]
    form["assignee"] = str(staff.id)
    form["status"] = "resolved"
    form.submit().follow()
    db.session.expire_all()
    saved = db.session.get(Ticket, ticket.id)
    assert (saved.assigned_to_id, saved.status) == (staff.id, TicketStatus.resolved)

    form = bea.get(f"/tickets/{ticket.id}").forms["reply"]
    form["body"] = "Thanks, received."
    assert "open again" in flashes(form.submit().follow())
    [reply_notice] = smtp_server.to(TEAM)
    assert "A customer replied on a support ticket" in text_of(reply_notice)
    assert buyer.email not in [m["To"] for m in smtp_server.messages]


def test_an_empty_staff_message_is_refused_and_sends_nothing(db, admin, make, acme, buyer, mail_app, smtp_server):
    ticket = make.ticket(acme, opened_by=buyer)
    db.session.commit()
    page = thread_of(admin, ticket).forms["ticket-message"].submit().follow()
    assert "Write a message." in flashes(page)
    assert smtp_server.messages == []
    db.session.expire_all()
    assert len(db.session.get(Ticket, ticket.id).messages) == 1


def test_a_staff_reply_with_an_html_file_is_refused(db, admin, make, acme, buyer):
    ticket = make.ticket(acme, opened_by=buyer)
    form = thread_of(admin, ticket).forms["ticket-message"]
    form["body"] = "See attached"
    form["files"] = [Upload("page.png", b"<html><script>alert(1)</script></html>")]
    page = form.submit().follow()
    assert "must be a PDF, PNG, JPEG, plain text or CSV file" in flashes(page)
    db.session.expire_all()
    assert len(db.session.get(Ticket, ticket.id).messages) == 1


def test_the_ticket_screens_leave_the_back_office_when_the_feature_is_off(db, admin, make, acme):
    ticket = make.ticket(acme)
    settings.set_feature("tickets", False)
    db.session.commit()
    admin.get("/admin/ticket/", status=404)
    admin.get(f"/admin/ticket/thread/{ticket.id}", status=404)


def test_the_ticket_record_leads_to_its_conversation(db, admin, make, acme, buyer):
    ticket = make.ticket(acme, opened_by=buyer)
    record = admin.get(f"/admin/ticket/edit/?id={ticket.id}")
    assert "Messages" not in [label.get_text(strip=True) for label in record.html.select("label")]
    page = record.click("Open the conversation")
    assert "Two boxes were crushed." in page.text and "ticket-message" in page.forms
