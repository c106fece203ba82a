"""Behind a reverse proxy: X-Forwarded-* are believed only when PORTAL_TRUSTED_PROXIES says so."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import request
from webtest import TestApp

from portal.extensions import limiter
from portal.permissions import public
from portal.startup_checks import StartupRefused

ROOT = Path(__file__).resolve().parent.parent

PROXY = "10.0.0.2"


def _client(own_app, proxies: int) -> TestApp:
    app = own_app(config={"TRUSTED_PROXIES": proxies, "WTF_CSRF_ENABLED": False, "LOGIN_RATE_LIMIT": "3 per minute"})
    app.add_url_rule("/_seen", "seen", public(lambda: f"{request.remote_addr} {request.url_root}"))
    with app.app_context():
        limiter.reset()
    return TestApp(app, extra_environ={"REMOTE_ADDR": PROXY})


def _sign_in_attempt(client: TestApp, forwarded_for: str, status: int):
    return client.post("/login", {"email": "nobody@example.com", "password": "wrong"},
                       headers={"X-Forwarded-For": forwarded_for}, status=status)


def test_with_one_trusted_proxy_each_client_has_its_own_rate_limit_bucket(own_app):
    client = _client(own_app, 1)
    for _ in range(3):
        _sign_in_attempt(client, "203.0.113.9", 200)
    _sign_in_attempt(client, "203.0.113.9", 429)
    # another customer behind the same proxy is not locked out
    _sign_in_attempt(client, "198.51.100.7", 200)
    # a client cannot escape its bucket by prepending an address: only the proxy's own entry counts
    _sign_in_attempt(client, "192.0.2.1, 203.0.113.9", 429)


def test_with_one_trusted_proxy_the_client_address_and_https_come_from_the_proxy(own_app):
    client = _client(own_app, 1)
    res = client.get("/_seen", headers={"X-Forwarded-For": "192.0.2.1, 203.0.113.9",
                                        "X-Forwarded-Proto": "https", "Host": "localhost"})
    assert res.text == "203.0.113.9 https://localhost/"


def test_without_trusted_proxies_forwarded_headers_are_ignored(own_app):
    client = _client(own_app, 0)
    res = client.get("/_seen", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
                                        "X-Forwarded-Host": "evil.example", "Host": "localhost"})
    assert res.text == f"{PROXY} http://localhost/"
    for n in range(3):
        _sign_in_attempt(client, f"203.0.113.{n}", 200)
    # forged X-Forwarded-For values do not give an attacker fresh buckets
    _sign_in_attempt(client, "198.51.100.7", 429)


def test_an_invalid_number_of_proxies_is_refused_at_start(own_app):
    with pytest.raises(StartupRefused, match="PORTAL_TRUSTED_PROXIES"):
        own_app(config={"TRUSTED_PROXIES": "one"})


@pytest.mark.parametrize(("value", "middleware"), [("1", "ProxyFix"), ("", "CloseAfterSend"), ("0", "CloseAfterSend")])
def test_the_number_of_trusted_proxies_comes_from_the_environment(tmp_path, value, middleware):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_TRUSTED_PROXIES=value, PORTAL_ENV="testing", DATABASE_URL=f"sqlite:///{tmp_path}/p.db")
    result = subprocess.run([sys.executable, "-c", "import wsgi; print(type(wsgi.app.wsgi_app).__name__)"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.stdout.strip() == middleware, result.stderr
