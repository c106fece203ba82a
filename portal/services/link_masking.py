"""Tokens in links are never shown to staff: the back office masks them wherever text is displayed
or exported (the outbox body, any list, details or export column).

A token is any URL argument whose name contains "token" in a route of this app (``/invite/<token>``,
``/login/link/<token>``, ``/password/reset/<token>``, ``/join/<token>``, a feature's own), and any
query parameter named like one. Routes are read from the URL map, so a feature's new token route is
masked without editing this module. A masked link does not work: staff hand over a fresh one with
"Copy link" on the Invitations screen.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from flask import current_app
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

MASK = "••••••"
#: URLs in text or HTML (absolute, or a path in an href)
_URL = re.compile(r"""https?://[^\s<>"'`]+|(?<=["'])/[^\s<>"'`]+""")
_SECRET_PARAM = re.compile(r"token|secret|key|code|sig", re.IGNORECASE)


def _is_token_argument(name: str) -> bool:
    return "token" in name.lower()


def _route_arguments(path: str) -> dict:
    """The arguments of the route the path leads to; a portal served under a prefix (its address
    https://example.com/portal) has links /portal/invite/<token>, so shorter and shorter tails are tried."""
    adapter = current_app.url_map.bind("localhost")
    segments = path.split("/")
    for start in range(1, len(segments)):
        try:
            return adapter.match("/" + "/".join(segments[start:]), method="GET")[1]
        except (HTTPException, RequestRedirect):
            continue
    return {}


def _mask_url(url: str) -> str:
    parts = urlsplit(url)
    masked = url
    for name, value in _route_arguments(parts.path).items():
        if _is_token_argument(name) and isinstance(value, str) and value:
            masked = masked.replace(f"/{value}", f"/{MASK}")
    for name, value in parse_qsl(parts.query, keep_blank_values=False):
        if _SECRET_PARAM.search(name) and value:
            masked = re.sub(rf"([?&]{re.escape(name)}=){re.escape(value)}", rf"\g<1>{MASK}", masked)
    return masked


def mask_links(text: str) -> str:
    """The text with the tokens of its links masked (Markup stays Markup)."""
    if not text or "/" not in text:
        return text
    masked = _URL.sub(lambda m: _mask_url(m.group(0)), str(text))
    return Markup(masked) if isinstance(text, Markup) else masked


def has_token_link(text: str) -> bool:
    return bool(text) and mask_links(text) != text
