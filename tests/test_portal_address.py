"""Emailed links come from the configured portal address; the Domain setting is validated and tested."""
from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select
from webtest import TestApp

from portal import create_app, settings
from portal.models import OutboxEmail
from portal.services import mailer
from portal.startup_checks import StartupRefused
from tests.test_app_factory import STRONG_KEY
from tests.test_auth import _ask

BASE = "https://portal.northwind.example"


@contextmanager
def production_mode(app, **config):
    """The session app as production sees it: ENV_NAME production, the given address settings."""
    keys = ("ENV_NAME", "PORTAL_BASE_URL", "TRUSTED_HOSTS")
    before = {k: app.config.get(k) for k in keys}
    app.config.update({"ENV_NAME": "production", "PORTAL_BASE_URL": None, "TRUSTED_HOSTS": None, **config})
    try:
        yield
    finally:
        app.config.update(before)


def links_to(db, email: str) -> list[str]:
    db.session.expire_all()
    rows = db.session.execute(select(OutboxEmail).filter_by(to_address=email)).scalars().all()
    return [link for row in rows for link in re.findall(r"https?://[^\s\"'<>]+", row.body_text + row.body_html)]


@pytest.mark.parametrize(("path", "form"), [("/password/reset", "reset_request"), ("/login/link", "magic_link")])
def test_in_production_a_forged_host_never_reaches_an_emailed_link(app, db, make, testapp, path, form):
    user = make.contact()
    with production_mode(app, PORTAL_BASE_URL=BASE):
        forged = testapp.__class__(testapp.app, extra_environ={"HTTP_HOST": "evil.example"})
        _ask(forged, path, form, user.email)
    links = links_to(db, user.email)
    assert links and all(link.startswith(BASE + "/") for link in links), links


def test_in_production_without_a_base_url_links_use_the_first_trusted_host(app, db, make, testapp):
    user = make.contact()
    with production_mode(app, TRUSTED_HOSTS=[".example.com", "portal.example.com", "localhost"]):
        client = testapp.__class__(testapp.app, extra_environ={"HTTP_HOST": "localhost"})
        _ask(client, "/password/reset", "reset_request", user.email)
    links = links_to(db, user.email)
    assert links and all(link.startswith("https://portal.example.com/") for link in links), links


@pytest.mark.parametrize("endpoint", ["core.login", "core.home", "core.request_password_reset"])
def test_every_emailed_link_in_production_ignores_the_request_host(app, db, endpoint):
    with production_mode(app, PORTAL_BASE_URL=BASE + "/"), app.test_request_context(
            "/", base_url="http://evil.example"):
        assert mailer.external_url(endpoint).startswith(BASE + "/")
        assert mailer.external_url(endpoint, "http://evil.example").startswith(BASE + "/")


def test_production_refuses_to_start_without_trusted_hosts_or_a_portal_address(tmp_path):
    config = {"PORTAL_ENV": "production", "SECRET_KEY": STRONG_KEY, "TRUSTED_HOSTS": None, "PORTAL_BASE_URL": None,
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"}
    with pytest.raises(StartupRefused, match="PORTAL_TRUSTED_HOSTS"):
        create_app(config)
    with pytest.raises(StartupRefused, match="PORTAL_BASE_URL"):
        create_app({**config, "PORTAL_BASE_URL": "https://portal.example.com@evil.example"})
    assert create_app({**config, "TRUSTED_HOSTS": ["portal.example.com"]})
    assert create_app({**config, "PORTAL_BASE_URL": "https://portal.example.com"})


HOSTILE_ADDRESSES = [
    "portal.example.com", "//portal.example.com", "https:portal.example.com", "javascript:alert(1)",
    "ftp://portal.example.com", "https://portal.example.com//evil.example", "https://portal.example.com/../evil",
    "https://portal.example.com/./x", "https://portal.example.com/%2e%2e/x",
    "https://portal.example.com?next=x", "https://evil.example#portal.example.com",
    "https://portal.example.com@evil.example", "https://user:pw@portal.example.com",
    "https://evil.example\\@portal.example.com", "https://evil.example\\portal.example.com",
    "https://portal.example.com\t.evil.example", "https://portal .example.com", "https://-x.example",
    "https://portal.example.com:99999", "https://portal.example.com%2F@evil.example",
]


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_the_domain_setting_refuses_anything_but_a_scheme_and_host(admin, db, address):
    form = admin.get("/admin/settings/").forms["settings"]
    form["domain.base_url"] = address
    res = form.submit()
    assert "Settings not saved" in res.text
    assert res.html.select_one("#domain\\.base_url-error")
    assert settings._load()["domain.base_url"] == ""


def test_the_domain_setting_is_stored_as_scheme_and_host(admin, db):
    form = admin.get("/admin/settings/").forms["settings"]
    form["domain.base_url"] = " HTTPS://Portal.Example.com/ "
    form.submit().follow()
    assert settings._load()["domain.base_url"] == "https://portal.example.com"


# --- the Test button --------------------------------------------------------------------------------

@contextmanager
def other_site(status: int = 200, body: dict | None = None, headers: dict | None = None):
    """A site on 127.0.0.1 that answers every request with the given status, JSON body and headers."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            data = json.dumps(body or {"status": "ok", "instance": "0" * 64}).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def press_test(admin, address: str):
    page = admin.get("/admin/settings/")
    form = page.forms["settings"]
    form["domain.base_url"] = address
    form.action = page.html.select_one('button[name="test-address"]')["formaction"]  # as a browser does
    return form.submit("test-address")


def outcome(res) -> str:
    return " ".join(n.get_text(" ", strip=True) for n in res.html.select(".alert"))


def test_test_reports_that_the_address_reaches_this_portal(admin, db, live_server):
    res = press_test(admin, live_server)
    assert res.status_int == 200
    assert "reaches this portal" in outcome(res) and "Not saved yet" in outcome(res)
    assert res.forms["settings"]["domain.base_url"].value == live_server  # what was typed stays
    assert settings._load()["domain.base_url"] == ""  # nothing saved


def test_test_tells_another_site_from_this_portal(admin, db):
    with other_site() as url:
        assert "not as this portal" in outcome(press_test(admin, url))
    with other_site(status=302, headers={"Location": "https://elsewhere.example/"}) as url:
        assert "redirects to https://elsewhere.example/" in outcome(press_test(admin, url))
    with other_site(status=404) as url:
        assert "answered 404" in outcome(press_test(admin, url))
    with other_site() as url:
        pass  # closed again: nothing listens there now
    assert "could not be reached" in outcome(press_test(admin, url))


def test_test_refuses_an_invalid_address_without_fetching_anything(admin, db):
    res = press_test(admin, "https://portal.example.com@127.0.0.1")
    assert res.html.select_one("#domain\\.base_url-error")
    assert "reaches" not in outcome(res)


def test_the_health_page_proves_which_instance_answers(testapp, own_app):
    assert testapp.get("/healthz").json == {"status": "ok"}
    first = testapp.get("/healthz", {"challenge": "abc"}).json["instance"]
    assert first == testapp.get("/healthz", {"challenge": "abc"}).json["instance"]
    assert first != testapp.get("/healthz", {"challenge": "abd"}).json["instance"]
    other = TestApp(own_app(config={"SECRET_KEY": STRONG_KEY}))  # another instance: another key
    assert other.get("/healthz", {"challenge": "abc"}).json["instance"] != first
