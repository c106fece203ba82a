"""Open-redirect protection: the one check every redirect target passes (?next=, Flask-Admin's
url=, return links, the Referer).

A target is accepted only as a path on this site. Browsers and servers are lenient in different
ways (``/\\evil`` and ``\\\\evil`` become ``//evil``, tabs and newlines are dropped, ``https:evil``
is a host, ``%2F%2Fevil`` is decoded by some layers), so the target is refused when it, or any
percent-decoding of it, is anything but a plain path.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

#: percent-decoding rounds checked (``%252F`` decodes twice)
_DECODE_ROUNDS = 3


def _plain_path(target: str) -> bool:
    """A path on this site: starts with one "/", no scheme, host, userinfo, backslash, control or
    space characters, and no empty or dot segment that could fold into "//"."""
    if "\\" in target or any(c.isspace() or unicodedata.category(c)[0] == "C" for c in target):
        return False
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return False
    segments = parts.path.split("/")[1:]
    return not any(s in ("", ".", "..") for s in segments[:-1]) and segments[-1] not in (".", "..")


def safe_next(target: str | None) -> str | None:
    """Return target only when it is a path on this site, its path part in every decoding; else None."""
    if not target or len(target) > 2048 or not _plain_path(target):
        return None
    path = target.split("?", 1)[0].split("#", 1)[0]
    for _ in range(_DECODE_ROUNDS):
        decoded = unquote(path)
        if decoded == path:
            return target
        if not _plain_path(decoded):
            return None
        path = decoded
    return None


def same_site_path(url: str | None, host_url: str) -> str | None:
    """A full URL of this site (e.g. the Referer) as a safe path; anything else None."""
    if not url:
        return None
    if url.startswith(host_url):
        url = "/" + url[len(host_url):]
    return safe_next(url)
