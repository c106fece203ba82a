"""Signing in: password, emailed sign-in link, password reset, rate limits, sessions, next=."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from webtest import TestApp

from portal.login_session import SESSION_KEY
from portal.models import AccessToken, OutboxEmail, TokenPurpose
from portal.models.base import utcnow
from portal.permissions import policy_of
from portal.services import tokens
from portal.services.actor import Actor
from portal.services.redirects import safe_next
from tests.conftest import PASSWORD
from tests.fixtures_mail import link_in, text_of

NEW_PASSWORD = "violet harbour lantern"
SENT = "If that address has portal access, a link is on its way."


def _copy_browser(testapp) -> TestApp:
    """Another browser holding a copy of testapp's cookies (a stolen or copied session cookie)."""
    other = TestApp(testapp.app)  # testapp.app gives each request a fresh `g`, as in production
    for name, value in testapp.cookies.items():
        other.set_cookie(name, value)
    return other


def _session(app, testapp) -> dict:
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(testapp.cookies["session"])


def _ask(testapp, path, form_name, email, ip="10.0.0.1", status=200):
    res = testapp.get(path, extra_environ={"REMOTE_ADDR": ip})
    res.forms[form_name]["email"] = email
    return res.forms[form_name].submit(extra_environ={"REMOTE_ADDR": ip}, status=status)


def _try_password(testapp, email, password, ip="10.0.0.1", status="*"):
    res = testapp.get("/login", extra_environ={"REMOTE_ADDR": ip})
    res.forms["login"]["email"] = email
    res.forms["login"]["password"] = password
    return res.forms["login"].submit(extra_environ={"REMOTE_ADDR": ip}, status=status)


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*', "", html)


def _signed_in(testapp) -> bool:
    return testapp.get("/dashboard", status=[200, 302]).status_int == 200


def test_sign_in_pages_declare_their_access_policy(app):
    for endpoint in ("core.login", "core.request_magic_link", "core.magic_link", "core.request_password_reset",
                     "core.reset_password", "core.accept_invitation"):
        assert policy_of(app, endpoint) == ("public",), endpoint


# --- password sign-in -----------------------------------------------------------------------------

def test_wrong_password_unknown_email_and_no_access_get_the_same_answer(db, make, testapp):
    closed = make.contact(make.company(portal_access=False))
    user = make.contact()
    answers = {_without_csrf(_try_password(testapp, email, password, status=200).text).replace(email, "EMAIL")
               for email, password in [(user.email, "wrong password!"), ("nobody@example.com", PASSWORD),
                                       (closed.email, PASSWORD)]}
    assert len(answers) == 1
    assert "did not match an account with portal access" in answers.pop()


def test_session_id_is_renewed_at_login_and_a_copied_cookie_dies_at_logout(app, db, make, testapp, login):
    user = make.contact()
    testapp.get("/login")
    before = _session(app, testapp)
    login(testapp, user)
    first = _session(app, testapp)
    assert first[SESSION_KEY] and first.get("csrf_token") != before.get("csrf_token")
    copied = _copy_browser(testapp)
    assert _signed_in(copied)

    logout = testapp.get("/dashboard").html.find("form", action="/logout")
    testapp.post("/logout", {"csrf_token": logout.find("input", attrs={"name": "csrf_token"})["value"]})
    assert not _signed_in(testapp)
    assert not _signed_in(copied), "the copied cookie still worked after logout"

    login(testapp, user)
    assert _session(app, testapp)[SESSION_KEY] != first[SESSION_KEY]
    assert not _signed_in(copied)


@pytest.mark.parametrize("target", ["//evil.com", "https://evil.com", "/\\evil.com", "javascript:alert(1)",
                                    "http:/evil.com", " //evil.com", "/\t/evil.com"])
def test_next_never_leaves_the_site(db, make, testapp, target):
    user = make.contact()
    res = testapp.get("/login", params={"next": target}, expect_errors=True)
    if "\t" in target:  # a control character in an address is refused outright (portal.input_guard)
        assert res.status_int == 400
        return
    res.forms["login"]["email"] = user.email
    res.forms["login"]["password"] = PASSWORD
    res = res.forms["login"].submit(status=302)
    assert res.location in ("/dashboard", "http://localhost/dashboard")


def test_next_returns_to_a_page_on_this_site(db, make, testapp):
    user = make.contact()
    res = testapp.get("/dashboard", status=302)
    res = res.follow()
    res.forms["login"]["email"] = user.email
    res.forms["login"]["password"] = PASSWORD
    assert res.forms["login"].submit(status=302).location.endswith("/dashboard")
    assert safe_next("/orders/?status=open") == "/orders/?status=open"


@pytest.mark.parametrize("target", ["//evil.com", "https://evil.com", "/\\evil.com", "javascript:alert(1)",
                                    "\\\\evil.com", "/ok\n/", "", None, "orders"])
def test_safe_next_refuses_other_sites(target):
    assert safe_next(target) is None


# --- rate limits -----------------------------------------------------------------------------------

def test_repeated_failures_from_one_address_get_429_but_the_user_signs_in_elsewhere(db, make, testapp):
    user = make.contact()
    for _ in range(10):
        _try_password(testapp, user.email, "not the password", ip="203.0.113.9", status=200)
    res = _try_password(testapp, user.email, PASSWORD, ip="203.0.113.9", status=429)
    assert "Too many attempts" in res.text and "Wait a minute" in res.text
    assert "<html" in res.text.lower()  # the branded page, not a bare error
    # The real user, elsewhere, is not locked out.
    res = _try_password(testapp, user.email, PASSWORD, ip="198.51.100.7", status=302)
    assert res.location.endswith("/dashboard")


def test_guessing_one_account_from_many_addresses_is_limited_per_email(db, make, testapp):
    user, other = make.contact(), make.contact()
    for n in range(20):
        _try_password(testapp, user.email, "not the password", ip=f"192.0.2.{n + 1}", status=200)
    res = _try_password(testapp, user.email, "not the password", ip="192.0.2.200", status=429)
    assert "Too many attempts for this email address" in res.text
    # Another account from the same address is unaffected.
    _try_password(testapp, other.email, PASSWORD, ip="192.0.2.200", status=302)


def test_link_requests_are_limited_per_address_and_mail_to_one_person_is_capped(db, make, testapp):
    user = make.contact()
    for n in range(5):
        _ask(testapp, "/login/link", "magic_link", f"someone{n}@example.com", ip="203.0.113.9")
    res = _ask(testapp, "/password/reset", "reset_request", user.email, ip="203.0.113.9")  # separate limit
    assert SENT in res.text
    res = _ask(testapp, "/login/link", "magic_link", user.email, ip="203.0.113.9", status=429)
    assert "Too many attempts" in res.text
    assert SENT in _ask(testapp, "/login/link", "magic_link", user.email, ip="198.51.100.7").text
    # Asking for one person's link from many addresses never locks them out of it (no per-email
    # refusal), and their mailbox gets at most 3 live links.
    target = make.contact(email="target@example.com")
    for n in range(11):
        assert SENT in _ask(testapp, "/login/link", "magic_link", target.email, ip=f"192.0.2.{n + 1}").text
    sent = db.session.execute(select(OutboxEmail).where(OutboxEmail.to_address == target.email)).scalars().all()
    assert len(sent) == 3


# --- sign-in link ----------------------------------------------------------------------------------

def test_sign_in_by_emailed_link(db, make, mail_app, smtp_server, testapp):
    make.contact(email="anna@acme.example", name="Anna")
    res = testapp.get("/login").click("Email me a sign-in link")
    res.forms["magic_link"]["email"] = "Anna@Acme.example "
    res = res.forms["magic_link"].submit()
    assert SENT in res.text
    [message] = smtp_server.messages
    assert message["To"] == "anna@acme.example"
    link = link_in(message, "/login/link/")
    assert "15 minutes" in text_of(message)

    # Opening the link (or a mail scanner prefetching it) does not sign in or use it up.
    for _ in range(2):
        page = testapp.get(link)
        assert "anna@acme.example" in page.text
        assert not _signed_in(testapp)
    res = page.forms["confirm"].submit(status=302).follow()
    assert res.request.path == "/dashboard"

    other = TestApp(testapp.app)
    assert "already used" in other.get(link, status=410).text


def test_sign_in_link_request_reveals_nothing(db, make, mail_app, smtp_server, testapp):
    user = make.contact()
    staff = make.staff()
    closed = make.contact(make.company(portal_access=False))
    answers = {_without_csrf(_ask(testapp, "/login/link", "magic_link", email).text)
               for email in (user.email, "nobody@example.com", staff.email, closed.email)}
    assert len(answers) == 1 and SENT in answers.pop()
    assert [m["To"] for m in smtp_server.messages] == [user.email]


def test_expired_sign_in_link_gets_a_friendly_page(db, make, testapp):
    user = make.contact()
    raw = tokens.issue(TokenPurpose.magic_link, user=user, ttl=timedelta(minutes=15))
    db.session.commit()
    db.session.execute(update(AccessToken).values(expires_dt=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    res = testapp.get(f"/login/link/{raw}", status=410)
    assert "This link has expired" in res.text
    assert "Email me a new sign-in link" in res.text
    assert "link is not valid" in testapp.get("/login/link/not-a-token", status=404).text


def test_sign_in_links_are_capped_per_user(db, make, testapp):
    user = make.contact()
    for _ in range(5):
        assert SENT in _ask(testapp, "/login/link", "magic_link", user.email, ip="10.1.1.1").text
    sent = db.session.execute(select(OutboxEmail).where(OutboxEmail.to_address == user.email)).scalars().all()
    assert len(sent) == 3


# --- password reset --------------------------------------------------------------------------------

def test_password_reset_by_emailed_link(db, make, mail_app, smtp_server, testapp, login):
    user = make.contact(email="anna@acme.example", name="Anna")
    elsewhere = TestApp(testapp.app)
    login(elsewhere, user)
    magic = tokens.issue(TokenPurpose.magic_link, user=user, ttl=timedelta(minutes=15))
    db.session.commit()

    res = testapp.get("/login").click("Forgot your password?")
    res.forms["reset_request"]["email"] = user.email
    assert SENT in res.forms["reset_request"].submit().text
    [message] = smtp_server.messages
    link = link_in(message, "/password/reset/")

    res = testapp.get(link)
    res.forms["reset"]["password"] = res.forms["reset"]["confirm"] = "short"
    res = res.forms["reset"].submit()
    assert "at least 10 characters" in res.text
    res.forms["reset"]["password"] = res.forms["reset"]["confirm"] = NEW_PASSWORD
    res = res.forms["reset"].submit(status=302).follow()
    assert res.request.path == "/dashboard"

    assert not _signed_in(elsewhere), "the other session survived the reset"
    assert "withdrawn" in testapp.get(f"/login/link/{magic}", status=410).text
    assert "already used" in testapp.get(link, status=410).text
    fresh = TestApp(testapp.app)
    assert login(fresh, user, password=PASSWORD, expect_success=False).status_int == 200
    login(fresh, user, password=NEW_PASSWORD)
    notice = smtp_server.messages[-1]
    assert "password was changed" in notice["Subject"]


def test_password_reset_request_reveals_nothing(db, make, testapp):
    user = make.contact()
    known = _without_csrf(_ask(testapp, "/password/reset", "reset_request", user.email).text)
    unknown = _without_csrf(_ask(testapp, "/password/reset", "reset_request", "nobody@example.com").text)
    assert known == unknown and SENT in known
    assert [e.to_address for e in db.session.execute(select(OutboxEmail)).scalars()] == [user.email]


def test_an_invalid_email_is_explained_on_the_page(db, testapp):
    res = _ask(testapp, "/password/reset", "reset_request", "not an email")
    assert "Enter a valid email address." in res.text
    assert SENT not in res.text


def test_password_change_keeps_this_session_and_ends_the_others(app, db, make, testapp, login):
    from portal.services import passwords

    user = make.contact()
    login(testapp, user)
    other = TestApp(testapp.app)
    login(other, user)
    passwords.change_password(user, NEW_PASSWORD, by=Actor.of(user), keep_session_key=_session(app, testapp)[SESSION_KEY])
    db.session.commit()
    assert _signed_in(testapp)
    assert not _signed_in(other)
    assert user.check_password(NEW_PASSWORD)


def test_password_change_refuses_a_weak_password_and_changes_nothing(db, make):
    from portal.services import passwords

    user = make.contact(name="Anna Smith")
    with pytest.raises(passwords.PasswordError) as caught:
        passwords.change_password(user, "annasmith", by=Actor.of(user))
    assert caught.value.messages == ["Use at least 10 characters.",
                                     "Don't use your email address or name as your password."]
    assert user.check_password(PASSWORD)


# --- forged Host headers ------------------------------------------------------------------------------

def _reset_link_queued_for(db, user):
    row = db.session.execute(select(OutboxEmail).filter_by(to_address=user.email)).scalars().all()
    return [link_in_text for email in row for link_in_text in re.findall(r"https?://\S+", email.body_text)]


def test_a_forged_host_never_reaches_an_emailed_link_when_the_portal_address_is_set(db, make, testapp):
    from portal import settings

    settings.save({"domain.base_url": "https://portal.northwind.example"})
    db.session.commit()
    user = make.contact()
    _ask(testapp.__class__(testapp.app, extra_environ={"HTTP_HOST": "evil.example"}),
         "/password/reset", "reset_request", user.email)
    links = _reset_link_queued_for(db, user)
    assert links and all(link.startswith("https://portal.northwind.example/") for link in links), links


def test_requests_for_an_untrusted_host_are_refused_and_send_nothing(app, db, make, testapp):
    user = make.contact()
    app.config["TRUSTED_HOSTS"] = ["localhost"]
    try:
        forged = testapp.__class__(testapp.app, extra_environ={"HTTP_HOST": "evil.example"})
        forged.get("/password/reset", status=400)
        forged.post("/password/reset", {"email": user.email}, status=400)
        assert _reset_link_queued_for(db, user) == []
        testapp.get("/password/reset", status=200)  # the real host still works
    finally:
        app.config["TRUSTED_HOSTS"] = None
