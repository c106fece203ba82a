"""Where the back office sends staff back to.

Flask-Admin reads a ``url=`` return parameter after create, edit, delete and list actions (and
puts it in Cancel links); the portal's own screens do the same. Every such target passes the
portal's one safe-next check (portal.services.redirects): an unsafe ``url=`` is removed from the
request before any view code reads it, and a redirect answer that still points elsewhere is sent
to the back-office home instead.
"""
from __future__ import annotations

from flask import Response, request, url_for
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict

from portal.services.redirects import safe_next, same_site_path

#: the return parameter Flask-Admin uses
RETURN_PARAM = "url"
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


def return_target() -> str | None:
    """The `url=` return target of this request, when it is safe."""
    return safe_next(request.values.get(RETURN_PARAM))


def back_to(fallback: str) -> str:
    """The safe return target, else the Referer when it is a page of this site, else `fallback`."""
    return return_target() or same_site_path(request.referrer, request.host_url) or fallback


def _without_unsafe_target(values):
    if not any(safe_next(v) is None for v in values.getlist(RETURN_PARAM)):
        return None
    return ImmutableMultiDict([(k, v) for k, v in values.items(multi=True) if k != RETURN_PARAM])


def drop_unsafe_return_target() -> None:
    """Remove an unsafe `url=` from the request, so Flask-Admin's own code never sees it."""
    changed = False
    for attr in ("args", "form"):
        cleaned = _without_unsafe_target(getattr(request, attr))
        if cleaned is not None:
            setattr(request, attr, cleaned)
            changed = True
    if changed:
        sources = [request.args] if request.method == "GET" else [request.args, request.form]
        request.values = CombinedMultiDict(sources)


def checked_redirect(response):
    """A redirect answer whose Location is no safe path of this site goes to the back-office home."""
    if isinstance(response, Response) and response.status_code in REDIRECT_CODES:
        location = response.headers.get("Location")
        if location and same_site_path(location, request.host_url) is None:
            response.headers["Location"] = url_for("admin.index")
    return response
