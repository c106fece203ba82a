"""The portal's own address (``https://portal.example.com``, or with a plain path prefix such as
``https://example.com/portal``): checked once, the same way for the PORTAL_BASE_URL setting, the back
office's Domain setting and the startup checks.

Only a scheme, a host, a port and a plain path are accepted: no query, fragment, user name or password,
dot or empty path segment, percent-encoding, backslash, space or control character, so an address can
never smuggle another host into a link
(``https://portal.example.com@evil.example``, ``https://evil.example\\@portal.example.com``,
``https://evil.example#.portal.example.com``). Imports nothing of the app.
"""
from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
#: a plain path prefix (a portal served under /portal): letters, digits and - _ ~ . per segment,
#: no empty, "." or ".." segment and no percent-encoding
_PREFIX = re.compile(r"^(?:/(?!\.{1,2}(?:/|$))[A-Za-z0-9_~.-]+)*/?$")


def _host(raw: str) -> str:
    if raw.startswith("["):
        try:
            return f"[{ipaddress.IPv6Address(raw[1:-1]).compressed}]"
        except ValueError:
            raise ValueError("has an invalid IPv6 address") from None
    try:
        host = raw.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueError("has an invalid host name") from None
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValueError("has an invalid host name")
    if labels[-1].isdigit():
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise ValueError("has an invalid IP address") from None
    return host


def normalise_base_url(value: str, require_https: bool = False) -> str:
    """``scheme://host[:port][/prefix]`` for a valid portal address (a trailing "/" is dropped); else ValueError."""
    text = (value or "").strip()
    if not text:
        raise ValueError("is empty")
    if "\\" in text or "@" in text or any(c.isspace() or unicodedata.category(c)[0] == "C" for c in text):
        raise ValueError("may not contain spaces, backslashes or an @ (a user name)")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not text.lower().startswith(parts.scheme + "://"):
        raise ValueError("must start with https:// (or http://)")
    if require_https and parts.scheme != "https":
        raise ValueError("must start with https:// in production")
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise ValueError("must be only the address, like https://portal.example.com (no ? or #)")
    if not _PREFIX.match(parts.path):
        raise ValueError("may have only a plain path, like https://example.com/portal (no //, . or .. parts, "
                         "no % codes)")
    netloc = parts.netloc
    host_part, _, port_part = netloc.rpartition(":") if not netloc.endswith("]") else (netloc, "", "")
    if not host_part:
        host_part, port_part = netloc, ""
    if port_part and (not port_part.isdigit() or not 0 < int(port_part) < 65536):
        raise ValueError("has an invalid port")
    host = _host(host_part)
    default = {"http": "80", "https": "443"}[parts.scheme]
    port = f":{int(port_part)}" if port_part and str(int(port_part)) != default else ""
    return f"{parts.scheme}://{host}{port}{parts.path.rstrip('/')}"
