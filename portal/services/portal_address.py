"""The portal's own address: where every emailed link points, and the back office's check that an
address really reaches this instance.

In production emailed links start with the configured address only — the Domain setting, else
PORTAL_BASE_URL, else the first of PORTAL_TRUSTED_HOSTS — never with the request's Host header
(the app does not start without one of them: portal.startup_checks).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass

from flask import current_app

from portal import settings
from portal.web_address import normalise_base_url

log = logging.getLogger(__name__)

DOMAIN_KEY = "domain.base_url"
#: the health page that answers a challenge with this instance's proof
HEALTH_PATH = "/healthz"
#: seconds the Test button waits for the address to answer
PROBE_TIMEOUT = 5.0
MAX_CHALLENGE = 64


def is_production() -> bool:
    return current_app.config.get("ENV_NAME") == "production"


def first_trusted_host(trusted_hosts) -> str | None:
    """The first exact host name of PORTAL_TRUSTED_HOSTS (".example.com" patterns name no single host)."""
    return next((h for h in trusted_hosts or () if h and not h.startswith(".")), None)


def configured_base() -> str | None:
    """The configured portal address (``scheme://host[:port]``), or None when nothing is configured."""
    for source, value in (("the Domain setting", settings.get(DOMAIN_KEY)),
                          ("PORTAL_BASE_URL", current_app.config.get("PORTAL_BASE_URL"))):
        if value:
            try:
                return normalise_base_url(value)
            except ValueError as exc:
                log.warning("ignoring the portal address in %s (%r): it %s", source, value, exc)
    if is_production():
        host = first_trusted_host(current_app.config.get("TRUSTED_HOSTS"))
        if host:
            return f"https://{host}"
    return None


def production_base() -> str:
    """The address every emailed link starts with in production (never the request's Host)."""
    base = configured_base()
    if base is None:
        raise RuntimeError("no portal address is configured: set PORTAL_BASE_URL or PORTAL_TRUSTED_HOSTS")
    return base


# --- "Test": does the address reach this instance? ------------------------------------------------------

def instance_proof(challenge: str) -> str:
    """What this instance (any of its processes, all sharing SECRET_KEY) answers to a challenge; nobody
    without the key can compute it, and the key cannot be learned from it."""
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), b"portal instance proof", hashlib.sha256).digest()
    return hmac.new(key, challenge.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ProbeResult:
    reaches_this_instance: bool
    message: str


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a redirect is reported, never followed


def probe(base: str) -> ProbeResult:
    """Fetch the health page at the address with a fresh challenge and compare the proof it returns."""
    challenge = secrets.token_urlsafe(24)
    url = f"{base}{HEALTH_PATH}?challenge={challenge}"
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(urllib.request.Request(url, headers={"Accept": "application/json"}),
                         timeout=PROBE_TIMEOUT) as response:
            body = response.read(4096)
    except urllib.error.HTTPError as exc:
        where = exc.headers.get("Location")
        if where:
            return ProbeResult(False, f"{base} redirects to {where}: enter the address it redirects to.")
        return ProbeResult(False, f"{base} answered {exc.code} instead of this portal's health page.")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return ProbeResult(False, f"{base} could not be reached ({reason}).")
    try:
        answer = json.loads(body).get("instance", "")
    except (ValueError, AttributeError):
        answer = ""
    if isinstance(answer, str) and hmac.compare_digest(answer, instance_proof(challenge)):
        return ProbeResult(True, f"{base} reaches this portal: emailed links will work.")
    return ProbeResult(False, f"{base} answers, but not as this portal (another site or another instance): "
                              "emailed links would lead there.")
