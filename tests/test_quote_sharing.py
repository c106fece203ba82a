"""Staff share a quote by a no-login link: the branded email (read from a real SMTP server), the page the
recipient opens, view tracking, re-sharing, withdrawing, expiry, and the clear page of a dead link."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from webtest import TestApp

from portal.models import AccessToken, AuditLog, PortalEvent, QuoteMessage, QuoteStatus, TokenPurpose
from portal.services import clock, quote_shares
from portal.services.actor import Actor
from portal.services.outbox import deliver_due
from tests.fixtures_mail import link_in, text_of

TODAY = clock.today()


@pytest.fixture
def quote(make):
    company = make.company(name="ACME Tools")
    quote = make.quote(company, title="Warehouse racking", valid_until=TODAY + timedelta(days=20))
    make.quote_section(quote, "Installation", [("Mounting", "200.00")], position=1)
    return quote


def share_from_admin(admin, quote, name="Dana Buyer", email="dana@acme.example", message=""):
    page = admin.get(f"/admin/quote/edit/?id={quote.id}").click(description="Share…")
    form = page.forms[next(k for k, f in page.forms.items() if "email" in f.fields)]
    form["name"], form["email"], form["message"] = name, email, message
    return form.submit()


def visitor(testapp, user_agent="Mozilla/5.0 (iPhone) Test"):
    """Someone else's browser (not signed in), from a known address."""
    return TestApp(testapp.app, extra_environ={"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": user_agent})


def test_staff_share_a_quote_and_the_recipient_opens_it_without_signing_in(admin, staff, quote, db, mail_app,
                                                                           smtp_server):
    with clock.frozen(TODAY):
        res = share_from_admin(admin, quote, message="Here is the offer we discussed.\nCall me with questions.")
        assert res.status_int == 302
        assert "sent to Dana Buyer (dana@acme.example)" in res.follow().text
        deliver_due(mail_app)
        [email] = smtp_server.to("dana@acme.example")
        assert email["Subject"] == f"Quote {quote.number} — Warehouse racking from Portal"
        body = text_of(email)
        assert "Stella Staff of Portal sent you quote" in body and "Here is the offer we discussed." in body
        assert f"valid until {(TODAY + timedelta(days=20)):%d %b %Y}" in body and "stella@northwind.example" in body

        link = link_in(email, "/quotes/link/")
        client = visitor(admin)
        page = client.get(link)
        assert page.status_int == 200
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["Cache-Control"] == "no-store"
        text = page.html.get_text(" ", strip=True)
        assert "Warehouse racking" in text and "Mounting" in text and "Installation" in text
        assert "Here is the offer we discussed." in text  # the personal message opens the conversation
        assert "Sent to Dana Buyer (dana@acme.example)" in text

    [event] = db.session.execute(select(PortalEvent).filter_by(subject_type="quote", subject_id=quote.id)).scalars()
    assert (event.kind, event.ip, event.user_agent, event.company_id) == (
        "quote_viewed", "203.0.113.9", "Mozilla/5.0 (iPhone) Test", quote.company_id)
    assert event.data["recipient_email"] == "dana@acme.example" and event.user_id is None
    [message] = db.session.execute(select(QuoteMessage).filter_by(quote_id=quote.id)).scalars()
    assert message.from_staff and message.author_id == staff.id
    assert db.session.execute(select(AuditLog).filter_by(action="quote.shared", object_id=quote.id)).scalar_one()

    # one view per page load: the stylesheet and script the page loads are not views
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text):
        client.get(asset, expect_errors=True)
    client.get(link)
    panel = admin.get(f"/admin/quote/edit/?id={quote.id}").html.select_one("#share-panel")
    row = panel.select_one("tbody tr").get_text(" ", strip=True)
    assert "Dana Buyer" in row and row.endswith("live 2 Withdraw link")


def test_the_link_is_random_and_only_its_hash_is_stored(db, make, quote, staff):
    raw, link = quote_shares.share(quote, name="Dana", email="dana@acme.example", by=Actor.of(staff))
    assert len(raw) >= 22 and link.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = db.session.execute(select(AccessToken.token_hash, AccessToken.data)).all()
    assert raw not in repr(stored)
    assert link.purpose == TokenPurpose.quote_share and link.quote_id == quote.id


def test_resharing_sends_a_fresh_link_and_the_old_one_shows_whom_to_contact(admin, quote, db, mail_app, smtp_server):
    share_from_admin(admin, quote)
    share_from_admin(admin, quote)
    deliver_due(mail_app)
    first, second = smtp_server.to("dana@acme.example")
    old, new = link_in(first, "/quotes/link/"), link_in(second, "/quotes/link/")
    assert old != new
    client = visitor(admin)
    dead = client.get(old, status=404)
    text = dead.html.get_text(" ", strip=True)
    assert "This quote link was withdrawn" in text and "Stella Staff" in text and "stella@northwind.example" in text
    assert "Warehouse racking" not in text and "Mounting" not in text
    assert dead.headers["Referrer-Policy"] == "no-referrer" and dead.headers["Cache-Control"] == "no-store"
    assert client.get(new).status_int == 200


def test_staff_withdraw_a_link(admin, quote, db, mail_app, smtp_server):
    share_from_admin(admin, quote)
    deliver_due(mail_app)
    link = link_in(smtp_server.to("dana@acme.example")[0], "/quotes/link/")
    client = visitor(admin)
    assert client.get(link).status_int == 200
    edit = admin.get(f"/admin/quote/edit/?id={quote.id}")
    form = next(f for f in edit.forms.values() if "link_id" in f.fields)
    assert "no longer opens the quote" in form.submit().follow().text
    assert "withdrawn" in client.get(link, status=404).text
    assert "revoked" in admin.get(f"/admin/quote/edit/?id={quote.id}").html.select_one("#share-panel").text


def test_a_link_expires_with_the_quote(db, quote, staff, testapp):
    with clock.frozen(TODAY):
        raw, _link = quote_shares.share(quote, name="Dana", email="dana@acme.example", by=Actor.of(staff))
    with clock.frozen(TODAY + timedelta(days=20)):
        assert testapp.get(f"/quotes/link/{raw}").status_int == 200  # the last valid day
    with clock.frozen(TODAY + timedelta(days=21)):
        page = testapp.get(f"/quotes/link/{raw}", status=404)
        assert "This quote link has expired" in page.text and "Mounting" not in page.text
    # a validity date moved earlier after sharing ends the link with it
    quote.valid_until = TODAY + timedelta(days=2)
    db.session.flush()
    with clock.frozen(TODAY + timedelta(days=3)):
        assert "has expired" in testapp.get(f"/quotes/link/{raw}", status=404).text


def test_an_empty_link_is_not_found(testapp, db):
    assert testapp.get("/quotes/link/", status=404)


@pytest.mark.parametrize("path", ["/quotes/link/nonsense", "/quotes/link/" + "x" * 43])
def test_a_wrong_or_empty_link_is_a_clear_404(testapp, path, db):
    page = testapp.get(path, status=404)
    assert "This quote link is not valid" in page.text and "Contact Portal" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_a_quote_taken_back_to_draft_is_not_shown_by_its_link(db, quote, staff, testapp):
    raw, _link = quote_shares.share(quote, name="Dana", email="dana@acme.example", by=Actor.of(staff))
    quote.status = QuoteStatus.draft
    db.session.flush()
    assert "Mounting" not in testapp.get(f"/quotes/link/{raw}", status=404).text


def test_a_draft_cannot_be_shared(admin, make, db):
    draft = make.quote(make.company(), status=QuoteStatus.draft)
    res = share_from_admin(admin, draft)
    assert res.status_int == 200 and "cannot be shared while it is draft" in res.text
    assert db.session.execute(select(AccessToken).filter_by(quote_id=draft.id)).first() is None


def test_the_share_form_says_what_is_missing(admin, quote, db):
    res = share_from_admin(admin, quote, name="", email="not-an-address")
    assert "Enter the recipient&#39;s name." in res.text or "Enter the recipient's name." in res.text
    assert "Enter a valid email address." in res.text
    assert db.session.execute(select(AccessToken).filter_by(quote_id=quote.id)).first() is None


def test_the_quote_screen_shows_the_engagement_timeline(admin, staff, quote, db):
    raw, _link = quote_shares.share(quote, name="Dana Buyer", email="dana@acme.example", by=Actor.of(staff))
    client = visitor(admin)
    client.get(f"/quotes/link/{raw}").click(description="Download PDF")
    panel = admin.get(f"/admin/quote/edit/?id={quote.id}").html.select_one("#engagement-panel")
    rows = [tr.get_text(" | ", strip=True) for tr in panel.select("tbody tr")]
    assert len(rows) == 2
    assert "Downloaded the PDF | Dana Buyer <dana@acme.example> | share link | 203.0.113.9" in rows[0]
    assert "Viewed | Dana Buyer <dana@acme.example> | share link | 203.0.113.9 | Mozilla/5.0 (iPhone) Test" in rows[1]
