"""The headers every response carries: no sniffing or framing, a strict referrer, the content security
and permissions policies and HSTS (portal.content_security), and no caching of pages that show a
token, a link with one, or anything of the back office."""
from __future__ import annotations

from flask import Flask, request

from portal import content_security

#: portal pages that are never cached (besides every page whose URL carries a token)
PRIVATE_PREFIXES = ("/q/", "/login", "/account", "/admin", "/invite", "/join", "/password", "/company/users")


def carries_token() -> bool:
    """The URL holds a token (an invitation, a sign-in link, a shared quote ...)."""
    return any("token" in name.lower() for name in request.view_args or {})


def never_cached() -> bool:
    """The back office, sign-in pages and any page whose URL carries a token; static files may be cached."""
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.endswith(".static"):
        return False
    return carries_token() or request.path.startswith(PRIVATE_PREFIXES)


def add_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    # a page whose URL carries a token never hands that URL on as a Referer, not even to this site
    response.headers.setdefault("Referrer-Policy", "no-referrer" if carries_token() else "same-origin")
    content_security.add_headers(response)
    if never_cached():
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
        response.headers.pop("ETag", None)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
    app.jinja_env.globals["csp_nonce"] = content_security.nonce
