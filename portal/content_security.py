"""Content-Security-Policy, Permissions-Policy and HSTS.

The portal runs no inline script at all (scripts are files under /static, handlers are bound there)
and no inline style except the branding colours of the database-free error pages, which carry this
response's nonce.

The back office is as strict for scripts: Flask-Admin's inline scripts carry the nonce (Flask-Admin's
``csp_nonce_generator``) and the few of its templates with ``onclick=`` handlers are overridden
(portal/templates/admin/...; the handlers are bound in static/admin.js). Styles are relaxed there
('unsafe-inline'): Flask-Admin's templates and widgets (select2, the date pickers, Bootstrap's
tooltips and dropdowns) write ``style=`` attributes and cannot carry a nonce. Style injection cannot
run script, and script-src stays nonce-only.
"""
from __future__ import annotations

import secrets

from flask import current_app, g, request

_COMMON = ("default-src 'self'", "img-src 'self' data:", "font-src 'self' data:", "connect-src 'self'",
           "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'self'")

#: browser features no page of the portal uses: refused for the page and anything it embeds
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb"))


def nonce() -> str:
    """This response's nonce for the inline scripts and styles it may carry."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def in_back_office() -> bool:
    return request.blueprint in current_app.extensions.get("portal_admin_blueprints", ())


def policy() -> str:
    n = nonce()
    if in_back_office():
        own = (f"script-src 'self' 'nonce-{n}'", "style-src 'self' 'unsafe-inline'")
    else:
        own = ("script-src 'self'", f"style-src 'self' 'nonce-{n}'")
    return "; ".join((*_COMMON, *own))


def add_headers(response) -> None:
    # a response that brings a stricter policy of its own (a served upload: default-src 'none'; sandbox) keeps it
    response.headers.setdefault("Content-Security-Policy", policy())
    response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
    max_age = int(current_app.config.get("HSTS_MAX_AGE") or 0)
    if current_app.config.get("ENV_NAME") == "production" and max_age > 0:
        response.headers["Strict-Transport-Security"] = f"max-age={max_age}"
