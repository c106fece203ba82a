"""What production refuses to start without, said in one clear sentence (no traceback).

create_app raises StartupRefused; the entry points (wsgi.py, the `portal` command) print its message
and exit with status 3, which gunicorn takes as "the app cannot boot" and stops instead of
restarting workers in a loop.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn

from portal.secret_strength import weakness
from portal.web_address import normalise_base_url

#: gunicorn's exit status for a worker that cannot boot (it then stops, no restart loop)
EXIT_STATUS = 3
#: keys that appear in examples and earlier defaults
KNOWN_SECRETS = {"change-me", "dev", "secret", "testing-secret-key-not-for-production"}
KEY_ADVICE = ("Set SECRET_KEY to a random value of at least 32 characters, e.g. "
              "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'.")


class StartupRefused(RuntimeError):
    """The configuration is unsafe for production; the message says what to change."""


def check_secret_key(key: str | None) -> None:
    """Refuse a missing, known or low-entropy SECRET_KEY."""
    if key in KNOWN_SECRETS:
        raise StartupRefused(f"SECRET_KEY is a published example value. {KEY_ADVICE}")
    reason = weakness(key)
    if reason:
        raise StartupRefused(f"SECRET_KEY {reason}: too weak for production. {KEY_ADVICE}")


def check_portal_address(base_url: str | None, trusted_hosts) -> None:
    """Production needs its own address for emailed links: PORTAL_BASE_URL or an exact trusted host."""
    if base_url:
        try:
            normalise_base_url(base_url, require_https=True)
        except ValueError as exc:
            raise StartupRefused(f"PORTAL_BASE_URL ({base_url!r}) {exc}. Set it to the portal's address, "
                                 "e.g. https://portal.example.com.") from None
        return
    if not any(h and not h.startswith(".") for h in trusted_hosts or ()):
        raise StartupRefused(
            "neither PORTAL_TRUSTED_HOSTS nor PORTAL_BASE_URL is set, so emailed sign-in and password-reset "
            "links could carry a forged Host header. Set PORTAL_TRUSTED_HOSTS=portal.example.com (the host "
            "names the portal answers to) and/or PORTAL_BASE_URL=https://portal.example.com.")


def trusted_proxy_count(value) -> int:
    """PORTAL_TRUSTED_PROXIES as a number of proxies (0 or more)."""
    text = str(value if value is not None else "").strip() or "0"
    if not text.isdigit():
        raise StartupRefused(f"PORTAL_TRUSTED_PROXIES must be the number of reverse proxies in front of the "
                             f"portal (0, 1, 2, ...), not {text!r}.")
    return int(text)


def exit_on_refusal(build: Callable[[], object]) -> object:
    """Run an app factory; a refusal ends the process with its message and EXIT_STATUS."""
    try:
        return build()
    except StartupRefused as exc:
        refuse(str(exc))


def refuse(message: str) -> NoReturn:
    print(f"Portal cannot start: {message}", file=sys.stderr, flush=True)
    raise SystemExit(EXIT_STATUS)
