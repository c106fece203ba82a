"""Support tickets on the customer side: open (with a file), read the thread, reply, close, who sees what."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from webtest import TestApp

from portal import settings
from portal.models import (
    AuditLog,
    Notification,
    NotificationRoute,
    PortalEvent,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketStatus,
)
from portal.services import tickets, uploads
from portal.services.actor import Actor
from tests.ticket_helpers import PDF, flashes, open_ticket, ticket_count


@pytest.fixture
def acme(make):
    return make.company(name="ACME Tools")


@pytest.fixture
def buyer(make, acme):
    return make.contact(acme, role="Buyer", name="Bea Buyer", email="bea@acme.example")


@pytest.fixture
def client(testapp, login, buyer):
    login(testapp, buyer)
    return testapp


def second_client(testapp, login, user) -> TestApp:
    other = TestApp(testapp.app)
    login(other, user)
    return other


def test_a_buyer_opens_a_ticket_about_an_order_with_a_pdf_and_reads_it_back(db, client, make, acme, buyer):
    order = make.order(acme)
    res = open_ticket(client, category="order", priority="high", regarding=f"sales_order:{order.id}",
                      files=(("delivery note.pdf", PDF),))
    assert res.status_int == 302
    page = res.follow()
    ticket = db.session.execute(select(Ticket)).scalar_one()
    assert ticket.number.startswith("TCK-") and ticket.number in flashes(page)
    assert (ticket.opened_by_id, ticket.priority.value, ticket.category, ticket.status) == (
        buyer.id, "high", "order", TicketStatus.open)
    assert "Two boxes were crushed." in page.text
    assert f"Order {order.number}" in page.html.select_one("#regarding").get_text()
    [link] = page.html.select(".attachments a")
    assert link.get_text() == "delivery-note.pdf"
    download = client.get(link["href"])
    assert download.body == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert 'filename=delivery-note.pdf' in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in download.headers["Cache-Control"]
    assert db.session.execute(select(AuditLog).where(AuditLog.action == "ticket.opened")).scalar_one()
    assert db.session.execute(select(PortalEvent).where(PortalEvent.kind == "ticket_opened")).scalar_one()


def test_the_list_shows_the_ticket_and_filters_by_status(db, client, make, acme, buyer):
    make.ticket(acme, opened_by=buyer, subject="Wrong colour delivered")
    make.ticket(acme, opened_by=buyer, subject="Old question", status=TicketStatus.closed)
    page = client.get("/tickets/")
    assert "Wrong colour delivered" in page.text and "Old question" in page.text
    page = page.click("Open", href="status=active")
    assert "Wrong colour delivered" in page.text and "Old question" not in page.text
    assert "Old question" in client.get("/tickets/?status=closed").text
    assert "Wrong colour delivered" in client.get("/tickets/?status=nonsense").text  # unknown filter: all


@pytest.mark.parametrize("fields, message", [
    ({"subject": "  "}, "Give the ticket a subject."),
    ({"body": ""}, "Write a message."),
    ({"subject": "x" * 201}, "Keep the subject shorter."),
])
def test_bad_input_is_a_clear_message_and_saves_nothing(db, client, fields, message):
    res = open_ticket(client, **fields)
    assert res.status_int == 400
    assert message in flashes(res) and "Nothing was sent." in flashes(res)
    assert ticket_count(db) == 0


def test_a_document_of_another_company_cannot_be_chosen(db, client, make):
    foreign = make.order(make.company(name="Other Co"))
    form = client.get("/tickets/new").forms["new-ticket"]
    assert f"sales_order:{foreign.id}" not in [value for value, *_ in form["regarding"].options]
    form["subject"], form["body"] = "About an order", "Hello"
    form["regarding"].force_value(f"sales_order:{foreign.id}")
    res = form.submit(status=400)
    assert "Not a valid choice" in flashes(res)
    assert ticket_count(db) == 0


def test_internal_notes_and_their_files_never_reach_the_portal(db, client, make, acme, buyer):
    ticket = make.ticket(acme, opened_by=buyer)
    staff = make.staff(name="Sam Staff")
    tickets.internal_note(ticket, "Customer is always late paying, be firm.", staff=staff)
    tickets.staff_reply(ticket, "We are sending two new boxes.", staff=staff)
    db.session.commit()
    page = client.get(f"/tickets/{ticket.id}")
    assert "We are sending two new boxes." in page.text
    assert "be firm" not in page.text
    note = db.session.execute(select(TicketMessage).where(TicketMessage.is_internal.is_(True))).scalar_one()
    db.session.add(TicketAttachment(ticket_id=ticket.id, message_id=note.id, filename="secret.txt", size=6,
                                    stored_name=uploads.keep(b"secret", "text")))
    db.session.commit()
    hidden = db.session.execute(select(TicketAttachment)).scalar_one()
    client.get(f"/tickets/files/{hidden.id}", status=404)
    assert "secret.txt" not in client.get(f"/tickets/{ticket.id}").text


def test_replying_to_a_closed_ticket_reopens_it_and_tells_staff(db, client, make, acme, buyer):
    staff, assignee = make.staff(name="Route Staff"), make.staff(name="Assigned Staff")
    db.session.add(NotificationRoute(kind="ticket_customer_reply", recipient_user_id=staff.id))
    ticket = make.ticket(acme, opened_by=buyer, status=TicketStatus.closed, assigned_to_id=assignee.id)
    page = client.get(f"/tickets/{ticket.id}")
    assert "Replying opens it again." in page.text
    assert "close-ticket" not in page.forms
    form = page.forms["reply"]
    form["body"] = "It happened again."
    page = form.submit().follow()
    assert "Your reply is sent. The ticket is open again." in flashes(page)
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == TicketStatus.open
    told = set(db.session.execute(select(Notification.user_id).where(
        Notification.kind == "ticket_customer_reply")).scalars())
    assert told == {staff.id, assignee.id}


def test_an_empty_reply_changes_nothing(db, client, make, acme, buyer):
    ticket = make.ticket(acme, opened_by=buyer, status=TicketStatus.resolved)
    res = client.get(f"/tickets/{ticket.id}").forms["reply"].submit(status=400)
    assert "Write a message." in flashes(res)
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == TicketStatus.resolved
    assert len(db.session.get(Ticket, ticket.id).messages) == 1


def test_the_customer_closes_the_ticket(db, client, make, acme, buyer):
    ticket = make.ticket(acme, opened_by=buyer)
    page = client.get(f"/tickets/{ticket.id}").forms["close-ticket"].submit().follow()
    assert "The ticket is closed." in flashes(page)
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == TicketStatus.closed
    assert db.session.execute(select(AuditLog).where(AuditLog.action == "ticket.closed")).scalar_one()


def test_who_sees_which_ticket(db, testapp, login, make, acme, buyer):
    """Own and shared tickets for every role; unshared ones of colleagues only for the company's admins."""
    colleague = make.contact(acme, role="Finance", email="fay@acme.example")
    admin = make.contact(acme, role="Admin", email="ada@acme.example")
    own = make.ticket(acme, opened_by=buyer, subject="Mine, private", shared=False)
    shared = make.ticket(acme, opened_by=colleague, subject="Colleague, shared")
    private = make.ticket(acme, opened_by=colleague, subject="Colleague, private", shared=False)
    login(testapp, buyer)
    listed = testapp.get("/tickets/").text
    assert "Mine, private" in listed and "Colleague, shared" in listed and "Colleague, private" not in listed
    testapp.get(f"/tickets/{private.id}", status=404)
    testapp.get(f"/tickets/{shared.id}", status=200)
    admin_client = second_client(testapp, login, admin)
    listed = admin_client.get("/tickets/").text
    assert all(s in listed for s in ("Mine, private", "Colleague, shared", "Colleague, private"))
    admin_client.get(f"/tickets/{own.id}", status=200)


def test_a_viewer_may_open_a_ticket(db, testapp, login, make, acme):
    viewer = make.contact(acme, role="Viewer", email="vic@acme.example")
    login(testapp, viewer)
    assert open_ticket(testapp).status_int == 302
    assert ticket_count(db) == 1


def test_another_companys_ticket_and_file_are_not_found(db, client, make):
    other = make.company(name="Other Co")
    ticket = make.ticket(other)
    db.session.add(TicketAttachment(ticket_id=ticket.id, message_id=ticket.messages[0].id, filename="a.txt", size=3,
                                    stored_name=uploads.keep(b"abc", "text")))
    db.session.commit()
    attachment = db.session.execute(select(TicketAttachment)).scalar_one()
    client.get(f"/tickets/{ticket.id}", status=404)
    client.get(f"/tickets/files/{attachment.id}", status=404)
    csrf = client.get("/tickets/new").forms["new-ticket"]["csrf_token"].value
    client.post(f"/tickets/{ticket.id}/close", {"csrf_token": csrf}, status=404)
    client.post(f"/tickets/{ticket.id}/reply", {"csrf_token": csrf, "body": "Hi"}, status=404)


def test_turned_off_the_pages_answer_404_and_the_nav_entry_goes(db, client):
    assert "/tickets/" in {a["href"] for a in client.get("/dashboard").html.select("nav a")}
    settings.set_feature("tickets", False)
    db.session.commit()
    client.get("/tickets/", status=404)
    client.get("/tickets/new", status=404)
    assert "/tickets/" not in {a["href"] for a in client.get("/dashboard").html.select("nav a")}


def test_followers_are_the_opener_and_customers_who_wrote(db, make, acme, buyer):
    colleague = make.contact(acme, role="Finance", email="fay@acme.example")
    ticket = make.ticket(acme, opened_by=buyer)
    tickets.customer_reply(ticket, "Same here.", by=Actor.of(colleague))
    tickets.internal_note(ticket, "note", staff=make.staff())
    assert {u.id for u in tickets.followers(ticket)} == {buyer.id, colleague.id}


def test_the_dashboard_counts_the_users_open_tickets(db, client, make, acme, buyer):
    assert "Open tickets" not in client.get("/dashboard").text
    colleague = make.contact(acme, role="Finance", email="fay@acme.example")
    make.ticket(acme, opened_by=buyer, status=TicketStatus.waiting_on_customer)
    make.ticket(acme, opened_by=buyer, status=TicketStatus.closed)
    make.ticket(acme, opened_by=colleague, shared=False)
    make.ticket(make.company(name="Other Co"))
    page = client.get("/dashboard")
    assert page.html.select_one("[data-testid=open-tickets]").get_text() == "1"
    assert "1 waiting on your answer" in page.text
