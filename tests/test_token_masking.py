"""Live tokens never show in the back office (screens or exports); token and admin pages are never cached."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db as _db
from portal.models import AuditLog, OutboxEmail
from portal.services import invitations, mailer, passwords, sign_in
from portal.services.actor import Actor
from portal.services.link_masking import MASK, mask_links

TOKEN_LINK = re.compile(r"https?://[^\s\"'<>]+/(?:login/link|password/reset|invite|join)/([A-Za-z0-9_-]{16,})")


def tokens_in(email: OutboxEmail) -> list[str]:
    return TOKEN_LINK.findall(email.body_text)


@pytest.fixture
def emails_with_tokens(db, make, staff):
    contact = make.contact()
    emails = [sign_in.request_magic_link(contact.email), passwords.request_reset(contact.email)]
    invitee = make.contact(email="new.person@acme.example", portal_access=False)
    invitations.invite(invitee, invited_by=Actor.of(staff))
    _db.session.commit()
    emails.append(_db.session.execute(select(OutboxEmail).filter_by(to_address=invitee.email)).scalar_one())
    assert all(tokens_in(e) for e in emails), [e.body_text for e in emails]
    return emails


def test_outbox_details_list_and_export_never_show_a_token(admin, emails_with_tokens):
    for email in emails_with_tokens:
        page = admin.get(f"/admin/outbox-email/details/?id={email.id}")
        assert page.headers["Cache-Control"] == "no-store"
        for token in tokens_in(email):
            assert token not in page.text
        assert MASK in page.text
    listing = admin.get("/admin/outbox-email/")
    export = admin.get("/admin/outbox-email/export/csv/")
    for email in emails_with_tokens:
        for token in tokens_in(email):
            assert token not in listing.text and token not in export.text
    assert export.headers["Cache-Control"] == "no-store"


def test_any_column_of_any_screen_masks_token_links(admin, db, emails_with_tokens):
    link = re.search(r"https?://\S+", emails_with_tokens[0].body_text).group(0)
    token = tokens_in(emails_with_tokens[0])[0]
    # a text column of another screen that happens to hold such a link (here: an audit record's details)
    db.session.add(AuditLog(action="note", details={"link": link}))
    db.session.commit()
    for path in ("/admin/audit-log/", "/admin/audit-log/export/csv/"):
        res = admin.get(path)
        assert token not in res.text


@pytest.mark.parametrize("text", [
    "Sign in: http://localhost/login/link/{t} (15 minutes)",
    "<a href=\"https://portal.example.com/password/reset/{t}\">Reset</a>",
    "https://portal.example.com/invite/{t}?x=1",
    "https://portal.example.com/join/{t}",
    "https://example.com/portal/invite/{t}",  # a portal served under a path prefix
    "{{\"link\": \"/portal/login/link/{t}\"}}",
    "https://portal.example.com/anything?token={t}&page=2",
])
def test_mask_links_hides_every_token_and_keeps_the_rest(app, text):
    raw = "AbC123_-xyzXYZ0987654321abcdefghijk"
    with app.test_request_context("/"):
        masked = mask_links(text.format(t=raw))
    assert raw not in masked and MASK in masked
    with app.test_request_context("/"):
        assert mask_links("See https://portal.example.com/orders/12 and /admin/") == \
            "See https://portal.example.com/orders/12 and /admin/"


@pytest.mark.parametrize("path", ["/admin/", "/admin/outbox-email/", "/admin/settings/", "/admin/user/"])
def test_back_office_pages_are_never_cached(admin, path):
    assert admin.get(path).headers["Cache-Control"] == "no-store"


def test_token_pages_are_never_cached_but_static_files_are(testapp, app, db, make):
    contact = make.contact()
    email = sign_in.request_magic_link(contact.email)
    _db.session.commit()
    path = "/" + tokens_in(email)[0].join(["login/link/", ""])
    assert testapp.get(path).headers["Cache-Control"] == "no-store"
    assert testapp.get("/invite/not-a-real-token", status="*").headers["Cache-Control"] == "no-store"
    assert testapp.get("/join/not-a-real-token", status="*").headers["Cache-Control"] == "no-store"
    assert "no-store" not in testapp.get("/static/portal.css").headers.get("Cache-Control", "")
    assert "no-store" not in testapp.get("/healthz").headers.get("Cache-Control", "")
    with app.test_request_context("/"):
        assert mailer.external_url("core.home")
