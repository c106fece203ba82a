"""Content-Security-Policy, Permissions-Policy and HSTS on every page; sessions end after their
absolute lifetime or idle timeout, for customers and staff."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from webtest import TestApp

from config.default import DefaultConfig
from portal.extensions import db
from portal.models import User, UserKind
from portal.permissions import public
from portal.services import clock
from tests.fixtures_apps import sign_in

TEMPLATES = Path(__file__).resolve().parent.parent / "portal" / "templates"
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


def assert_no_inline_script(html: str, nonce: str | None, where: str) -> None:
    assert not INLINE_HANDLER.search(html), f"{where}: inline event handler {INLINE_HANDLER.search(html).group(0)}"
    for attrs in SCRIPT_TAG.findall(html):
        if "src=" in attrs:
            continue
        assert nonce and f'nonce="{nonce}"' in attrs, f"{where}: inline <script{attrs}> without this response's nonce"


# --- the portal ------------------------------------------------------------------------------------------

def test_portal_templates_carry_no_inline_script_or_handler():
    """Every portal template (the back office's and email templates aside): scripts are files."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if path.relative_to(TEMPLATES).parts[0] in ("admin", "email"):
            continue
        text = path.read_text(encoding="utf-8")
        if INLINE_HANDLER.search(text) or any("src=" not in a for a in SCRIPT_TAG.findall(text)) \
                or "javascript:" in text:
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


@pytest.mark.parametrize("path", ["/login", "/password/reset", "/dashboard", "/account", "/no-such-page"])
def test_portal_pages_allow_only_scripts_from_the_portal_itself(testapp, make, login, path):
    login(testapp, make.contact())
    res = testapp.get(path, status="*")
    csp = directives(res)
    assert csp["script-src"] == "script-src 'self'"
    assert "'unsafe-inline'" not in res.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in res.headers["Content-Security-Policy"]
    for name in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'self'", "form-action 'self'"):
        assert name in res.headers["Content-Security-Policy"]
    assert_no_inline_script(res.text, None, path)
    assert "camera=()" in res.headers["Permissions-Policy"] and "geolocation=()" in res.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in res.headers  # not in development or tests


def test_the_database_free_error_page_styles_only_with_its_nonce(own_app):
    app = own_app(config={"PROPAGATE_EXCEPTIONS": False})
    app.add_url_rule("/_boom_for_csp_test", "boom", public(lambda: 1 / 0))
    res = TestApp(app).get("/_boom_for_csp_test", status=500)
    nonce = re.search(r"'nonce-([^']+)'", directives(res)["style-src"]).group(1)
    assert f'<style nonce="{nonce}">' in res.text


def test_hsts_only_in_production(app, testapp):
    app.config["ENV_NAME"] = "production"
    try:
        res = testapp.get("/healthz")
    finally:
        app.config["ENV_NAME"] = "testing"
    assert res.headers["Strict-Transport-Security"] == f"max-age={app.config['HSTS_MAX_AGE']}"
    assert "Permissions-Policy" in res.headers


# --- the back office ------------------------------------------------------------------------------------

BACK_OFFICE = ["/admin/", "/admin/company/", "/admin/company/new/", "/admin/company/edit/?id={company}",
               "/admin/invitations/", "/admin/user/", "/admin/user/edit/?id={contact}", "/admin/settings/",
               "/admin/outbox-email/", "/admin/sales-order/new/", "/admin/product/", "/admin/audit-log/"]


@pytest.mark.parametrize("path", BACK_OFFICE)
def test_back_office_scripts_run_only_with_the_nonce_and_no_inline_handlers(admin, make, path):
    company = make.company("Acme Tools")
    contact = make.contact(company=company)
    res = admin.get(path.format(company=company.id, contact=contact.id), status=[200, 404])
    csp = directives(res)
    nonce = re.search(r"'nonce-([^']+)'", csp["script-src"]).group(1)
    assert csp["script-src"] == f"script-src 'self' 'nonce-{nonce}'"
    # relaxed for styles only (see portal.content_security): Flask-Admin writes style= attributes
    assert csp["style-src"] == "style-src 'self' 'unsafe-inline'"
    assert_no_inline_script(res.text, nonce, path)
    assert "Permissions-Policy" in res.headers


def test_every_response_has_its_own_nonce(admin):
    first = directives(admin.get("/admin/"))["script-src"]
    assert first != directives(admin.get("/admin/"))["script-src"]


# --- session lifetime -----------------------------------------------------------------------------------

def signed_in(client, path: str) -> bool:
    return client.get(path, status=[200, 302]).status_int == 200


@pytest.fixture
def limits(app, committed_db, monkeypatch):
    """The session limits of a production install (the test configuration lets sessions last for years,
    as other tests move the clock by days while signed in). Committed data: the last-seen time is
    written on a connection of its own."""
    monkeypatch.setitem(app.config, "SESSION_MAX_AGE_HOURS", DefaultConfig.SESSION_MAX_AGE_HOURS)
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", DefaultConfig.SESSION_IDLE_MINUTES)
    return app.config


@pytest.mark.parametrize("who, page", [("contact", "/dashboard"), ("staff", "/admin/")])
def test_a_session_idle_longer_than_the_timeout_is_signed_out(limits, app, make, testapp, login, who, page):
    user = make.contact() if who == "contact" else make.staff(email="idle@northwind.example")
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    start = clock.now()
    with clock.frozen(start):
        login(testapp, user)
    with clock.frozen(start + idle * 0.9):
        assert signed_in(testapp, page)  # activity keeps it alive
    with clock.frozen(start + idle * 1.8):
        assert signed_in(testapp, page)
    with clock.frozen(start + idle * 2.8 + timedelta(minutes=1)):
        assert not signed_in(testapp, page)
    with clock.frozen(start + idle * 2.8):
        assert not signed_in(testapp, page)  # over for good, even if the clock went back


@pytest.mark.parametrize("who, page", [("contact", "/dashboard"), ("staff", "/admin/")])
def test_a_session_older_than_its_absolute_lifetime_is_signed_out_even_when_active(limits, app, make, testapp,
                                                                                     login, who, page):
    user = make.contact() if who == "contact" else make.staff(email="busy@northwind.example")
    absolute = timedelta(hours=app.config["SESSION_MAX_AGE_HOURS"])
    step = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] / 2)
    start = clock.now()
    with clock.frozen(start):
        login(testapp, user)
    moment = start
    while moment + step < start + absolute:
        moment += step
        with clock.frozen(moment):
            assert signed_in(testapp, page), moment - start
    with clock.frozen(start + absolute + timedelta(minutes=1)):
        assert not signed_in(testapp, page)


def test_the_session_limits_are_configurable(own_app):
    app = own_app(config={"SESSION_IDLE_MINUTES": 5, "SESSION_MAX_AGE_HOURS": 1})
    with app.app_context():
        user = User(email="five@example.com", name="Five", kind=UserKind.staff)
        user.set_password("correct horse battery")
        db.session.add(user)
        db.session.commit()
    start = clock.now()
    with clock.frozen(start):
        client = sign_in(app, "five@example.com")
    with clock.frozen(start + timedelta(minutes=4)):
        assert signed_in(client, "/admin/")
    with clock.frozen(start + timedelta(minutes=10)):
        assert not signed_in(client, "/admin/")



def test_passwords_are_hashed_with_scrypt_outside_the_test_config(app, monkeypatch):
    """The suite hashes new passwords cheaply (config.testing.PASSWORD_HASH_METHOD); every other
    environment keeps werkzeug's scrypt, and a cheap hash still checks."""
    from portal.models.accounts import password_hash_method

    assert getattr(DefaultConfig, "PASSWORD_HASH_METHOD", None) is None
    user = User(email="hash@example.com", kind=UserKind.staff)
    with app.app_context():
        user.set_password("s3cret pass")
        assert user.password_hash.startswith("pbkdf2:") and user.check_password("s3cret pass")
        assert not user.check_password("wrong")
        monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", None)
        assert password_hash_method() == "scrypt"
        user.set_password("s3cret pass")
        assert user.password_hash.startswith("scrypt:") and user.check_password("s3cret pass")
