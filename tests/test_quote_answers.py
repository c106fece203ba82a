"""Clients answer a quote short of accepting: ask for changes (everyone, and a share link's recipient),
decline (only roles with quotes.accept); the thread shows on both sides; staff replies are emailed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from webtest import TestApp

from portal.models import AuditLog, NotificationRoute, PortalEvent, QuoteMessage, QuoteStatus
from portal.services import clock, quote_shares
from portal.services.actor import Actor
from portal.services.outbox import deliver_due
from tests.fixtures_mail import text_of


@pytest.fixture
def quote(make):
    company = make.company(name="ACME Tools")
    return make.quote(company, title="Warehouse racking", valid_until=clock.today() + timedelta(days=10))


def route_to(db, kind, email):
    db.session.add(NotificationRoute(kind=kind, team_email=email))
    db.session.flush()


@pytest.mark.parametrize("role", ["Admin", "Buyer", "Viewer", "Finance"])
def test_every_role_may_ask_for_changes(testapp, make, login, quote, db, role):
    login(testapp, make.contact(quote.company, role=role, name=f"{role} Person"))
    page = testapp.get(f"/quotes/{quote.id}")
    form = page.forms["request-changes"]
    form["body"] = "Could you quote 12 racks instead of 10?"
    done = form.submit().follow()
    assert "Your message is sent" in done.text
    assert "Could you quote 12 racks instead of 10?" in done.html.select_one(".conversation").text
    assert quote.status == QuoteStatus.changes_requested
    assert ("decline" in done.forms) is (role in ("Admin", "Buyer"))


def test_only_roles_with_the_accept_permission_may_decline(testapp, make, login, quote, db):
    login(testapp, make.contact(quote.company, role="Viewer"))
    page = testapp.get(f"/quotes/{quote.id}")
    token = page.forms["request-changes"]["csrf_token"].value
    testapp.post(f"/quotes/{quote.id}/decline", {"csrf_token": token}, status=403)
    assert quote.status == QuoteStatus.sent


def test_a_buyer_declines_with_a_reason_and_staff_hear_of_it(testapp, make, login, quote, db):
    route_to(db, "quote_declined", "sales@northwind.example")
    login(testapp, make.contact(quote.company, role="Buyer", name="Bea Buyer"))
    form = testapp.get(f"/quotes/{quote.id}").forms["decline"]
    form["reason"] = "Too expensive this year."
    page = form.submit().follow()
    assert "You declined the quote" in page.text and "Declined: Too expensive this year." in page.text
    assert quote.status == QuoteStatus.declined and "request-changes" not in page.forms
    assert db.session.execute(select(AuditLog).filter_by(action="quote.declined")).scalar_one().details[
        "reason"] == "Too expensive this year."
    [notice] = [m for m in db.session.execute(select(AuditLog)).scalars() if m.action == "quote.declined"]
    assert notice.object_id == quote.id


def test_an_empty_change_request_is_a_message_and_changes_nothing(testapp, make, login, quote, db):
    login(testapp, make.contact(quote.company, role="Buyer"))
    form = testapp.get(f"/quotes/{quote.id}").forms["request-changes"]
    form["body"] = "   "
    page = form.submit().follow()
    assert "Write what you would like us to change." in page.text
    assert quote.status == QuoteStatus.sent and quote.messages == []


def test_a_link_recipient_asks_for_changes_staff_reply_and_the_reply_is_emailed(
        admin, staff, quote, db, mail_app, smtp_server):
    route_to(db, "quote_changes_requested", "sales@northwind.example")
    db.session.commit()
    raw, link = quote_shares.share(quote, name="Dana Buyer", email="dana@acme.example", by=Actor.of(staff))
    db.session.commit()
    client = TestApp(admin.app, extra_environ={"REMOTE_ADDR": "203.0.113.7"})
    form = client.get(f"/quotes/link/{raw}").forms["request-changes"]
    form["body"] = "Please add installation."
    page = form.submit().follow()
    assert "Please add installation." in page.text and "Dana Buyer" in page.html.select_one(".conversation").text
    deliver_due(mail_app)
    [notice] = smtp_server.to("sales@northwind.example")
    assert "Dana Buyer asked for changes to quote" in text_of(notice) and "Please add installation." in text_of(notice)
    assert f"/admin/quote/edit/?id={quote.id}" in text_of(notice)
    message = db.session.execute(select(QuoteMessage).filter_by(quote_id=quote.id)).scalar_one()
    assert (message.author_id, message.author_name) == (None, "Dana Buyer")
    event = db.session.execute(select(PortalEvent).filter_by(kind="quote_changes_requested")).scalar_one()
    assert event.data["link_id"] == link.id and event.ip == "203.0.113.7"

    edit = admin.get(f"/admin/quote/edit/?id={quote.id}")
    assert "Please add installation." in edit.html.select_one("#conversation-panel").text
    reply = edit.forms["staff-reply"]
    reply["body"] = "Done: installation is now section 2."
    assert "emailed to the client" in reply.submit().follow().text
    deliver_due(mail_app)
    [email] = [m for m in smtp_server.to("dana@acme.example") if "Reply about quote" in m["Subject"]]
    assert "Done: installation is now section 2." in text_of(email)
    assert "Done: installation is now section 2." in client.get(f"/quotes/link/{raw}").text


def test_an_expired_quote_takes_no_answer(testapp, make, login, quote, db):
    login(testapp, make.contact(quote.company, role="Buyer"))
    token = testapp.get(f"/quotes/{quote.id}").forms["request-changes"]["csrf_token"].value
    with clock.frozen(clock.today() + timedelta(days=11)):
        page = testapp.post(f"/quotes/{quote.id}/changes", {"csrf_token": token, "body": "Hi"}).follow()
        assert "no longer valid" in page.text
    assert quote.status == QuoteStatus.sent


def test_a_reply_written_on_the_quote_messages_screen_is_emailed_too(admin, make, db, mail_app, smtp_server):
    company = make.company(name="ACME Tools")
    contact = make.contact(company, role="Buyer", name="Bea Buyer", email="bea@acme.example")
    quote = make.quote(company, contact_id=contact.id)
    db.session.commit()
    page = admin.get("/admin/quote-message/new/")
    form = next(f for f in page.forms.values() if "body" in f.fields)
    form["quote"] = str(quote.id)
    form["body"] = "The black racks are in stock."
    form.submit()
    deliver_due(mail_app)
    [email] = smtp_server.to("bea@acme.example")
    assert "The black racks are in stock." in text_of(email) and f"/quotes/{quote.id}" in text_of(email)
