"""Asking for a sign-in or reset link: the same work for any address, handled after the response; and
nobody can lock a customer out of signing in by emailed link."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, select
from webtest import TestApp
from werkzeug.wsgi import ClosingIterator

from portal import settings
from portal.extensions import db as _db
from portal.models import AccessToken, OutboxEmail, TokenPurpose
from tests.conftest import PASSWORD, TEST_TRANSACTION_STATEMENTS
from tests.fixtures_mail import link_in

SENT = "If that address has portal access, a link is on its way."
PAGES = [("/login/link", "magic_link"), ("/password/reset", "reset_request")]


class UntilResponse:
    """WSGI wrapper keeping the SQL a request runs until the last chunk of its response is handed to
    the server — not the work that runs once the response is sent (portal.close_after_send)."""

    def __init__(self, app):
        self.app = app
        self.statements: list[str] = []

    def __call__(self, environ, start_response):
        seen: list[str] = []

        def record(conn, cursor, statement, *args):
            if not statement.startswith(TEST_TRANSACTION_STATEMENTS):  # the test's savepoints
                seen.append(statement)

        event.listen(_db.engine, "before_cursor_execute", record)
        chunks, sent = [], 0
        try:
            body = self.app(environ, start_response)
            for chunk in body:
                chunks.append(chunk)
                sent = len(seen)
        finally:
            event.remove(_db.engine, "before_cursor_execute", record)
        self.statements = seen[:sent]
        return ClosingIterator(chunks, [body.close] if hasattr(body, "close") else [])


def ask(client, path, form_name, email, ip="10.0.0.1", status=200):
    res = client.get(path, extra_environ={"REMOTE_ADDR": ip})
    res.forms[form_name]["email"] = email
    return res.forms[form_name].submit(extra_environ={"REMOTE_ADDR": ip}, status=status)


def outbox_to(db, address) -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.execute(select(OutboxEmail).filter_by(to_address=address)).scalars())


# --- the same work for any address ---------------------------------------------------------------------

@pytest.mark.parametrize("path, form_name", PAGES)
def test_known_and_unknown_addresses_cost_the_request_the_same_sql(db, make, testapp, path, form_name):
    contact = make.contact(email="anna@acme.example")
    staff = make.staff(email="sam@northwind.example")
    closed = make.contact(make.company(portal_access=False), email="carl@closed.example")
    wrapped = UntilResponse(testapp.app)
    client = TestApp(wrapped)
    paths = {}
    for email in (contact.email, "nobody@example.com", staff.email, closed.email):
        ask(client, path, form_name, email, ip=f"10.9.{len(paths)}.1")
        paths[email] = wrapped.statements
    assert len({tuple(statements) for statements in paths.values()}) == 1, paths
    # Each request stored its link request (a job), handled after the response.
    assert any(s.lstrip().upper().startswith("INSERT INTO LINK_REQUEST") for s in paths[contact.email])
    assert not any("access_token" in s or "outbox_email" in s or "membership" in s for s in paths[contact.email])
    from portal.models import LinkRequest

    assert db.session.execute(select(func.count(LinkRequest.id))).scalar_one() == 0  # all handled
    assert [e.to_address for e in outbox_to(db, contact.email)] == [contact.email]
    assert outbox_to(db, "nobody@example.com") == outbox_to(db, closed.email) == []


def test_the_handled_request_emails_a_link_built_from_the_portal_address(db, make, testapp):
    settings.save({"domain.base_url": "https://portal.northwind.example"})
    contact = make.contact(email="anna@acme.example")
    forged = TestApp(testapp.app, extra_environ={"HTTP_HOST": "evil.example"})
    assert SENT in ask(forged, "/login/link", "magic_link", contact.email).text
    [email] = outbox_to(db, contact.email)
    assert "https://portal.northwind.example/login/link/" in email.body_text
    assert "evil.example" not in email.body_text


def test_without_a_configured_address_the_link_starts_as_the_page_did(db, make, testapp):
    contact = make.contact(email="anna@acme.example")
    ask(TestApp(testapp.app, extra_environ={"HTTP_HOST": "portal.acme.test"}), "/password/reset",
        "reset_request", contact.email)
    [email] = outbox_to(db, contact.email)
    assert "http://portal.acme.test/password/reset/" in email.body_text


@pytest.mark.committed
def test_requests_left_over_are_handled_by_the_worker_once(app, db, make):
    """Several workers at once (real parallel connections): each stored request is taken by one of them."""
    from portal.models import LinkRequest
    from portal.services import link_requests

    people = [make.contact(email=f"p{n}@acme.example") for n in range(6)]
    for person in people:
        link_requests.ask(TokenPurpose.magic_link, person.email)
    link_requests.ask(TokenPurpose.password_reset, "nobody@example.com")
    db.session.commit()
    start = threading.Barrier(4)

    def worker(_n):
        with app.app_context():
            start.wait(timeout=30)
            try:
                return link_requests.handle(limit=50)
            finally:
                _db.session.remove()

    with ThreadPoolExecutor(max_workers=4) as pool:
        queued = [i for ids in pool.map(worker, range(4), timeout=120) for i in ids]
    assert len(queued) == len(set(queued)) == 6
    db.session.expire_all()
    assert db.session.execute(select(func.count(LinkRequest.id))).scalar_one() == 0
    assert sorted(e.to_address for e in db.session.execute(select(OutboxEmail)).scalars()) == sorted(
        p.email for p in people)
    assert db.session.execute(select(func.count(AccessToken.id))).scalar_one() == 6


# --- no lockout ------------------------------------------------------------------------------------------

def try_password(client, email, password, ip, status="*"):
    res = client.get("/login", extra_environ={"REMOTE_ADDR": ip})
    res.forms["login"]["email"] = email
    res.forms["login"]["password"] = password
    return res.forms["login"].submit(extra_environ={"REMOTE_ADDR": ip}, status=status)


#: failed password attempts per email address per minute in the two tests below: the rule is the same for
#: any limit (production's is 20, portal.blueprints.core.auth), and a small one needs fewer requests
EMAIL_LIMIT = 5


@pytest.fixture
def small_email_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_EMAIL_RATE_LIMIT", f"{EMAIL_LIMIT} per minute")


def test_an_attack_from_many_addresses_never_locks_the_customer_out_of_a_sign_in_link(
        db, make, mail_app, smtp_server, testapp, small_email_limit):
    anna = make.contact(email="anna@acme.example", name="Anna")
    for n in range(EMAIL_LIMIT):  # someone guesses Anna's password from fresh addresses...
        try_password(TestApp(testapp.app), anna.email, f"guess number {n}", ip=f"198.18.0.{n + 1}", status=200)
    for n in range(10):  # ...and asks for her sign-in link again and again
        ask(TestApp(testapp.app), "/login/link", "magic_link", anna.email, ip=f"198.18.1.{n + 1}")

    home = "203.0.113.50"
    res = try_password(testapp, anna.email, PASSWORD, ip=home, status=429)
    assert "Too many attempts for this email address" in res.text
    assert "sign in with a link sent to your email address" in res.text
    res = res.forms["magic_link"].submit(extra_environ={"REMOTE_ADDR": home}, status=200)
    assert SENT in res.text

    link = link_in(smtp_server.to(anna.email)[-1], "/login/link/")
    page = testapp.get(link, extra_environ={"REMOTE_ADDR": home})
    res = page.forms["confirm"].submit(extra_environ={"REMOTE_ADDR": home}, status=302).follow()
    assert res.request.path == "/dashboard"
    assert len(smtp_server.to(anna.email)) <= 3  # and her mailbox was not flooded


def test_failed_attempts_count_per_email_but_successes_do_not(db, make, testapp, small_email_limit):
    anna = make.contact()
    for n in range(EMAIL_LIMIT + 1):  # Anna signs in again and again (new browsers, new addresses): never refused
        try_password(TestApp(testapp.app), anna.email, PASSWORD, ip=f"198.18.2.{n + 1}", status=302)
    for n in range(EMAIL_LIMIT - 1):
        try_password(TestApp(testapp.app), anna.email, "not the password", ip=f"198.18.3.{n + 1}", status=200)
    try_password(TestApp(testapp.app), anna.email, PASSWORD, ip="198.18.4.1", status=302)
