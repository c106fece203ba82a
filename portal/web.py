"""Request-level glue: Jinja helpers, branded error pages (security headers: portal.security_headers).

The 500 and 503 pages need no database (branding as this process last read it, no current user),
so they render during an outage; a database that is unavailable answers 503 with Retry-After.
"""
from __future__ import annotations

import logging
import re
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from flask import Flask, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from portal import branding, json_api, settings
from portal.database import UNAVAILABLE
from portal.extensions import db, limiter
from portal.features import registry
from portal.i18n import N_
from portal.money import day, moment, money, number
from portal.permissions import acting, can, current_memberships
from portal.services import preferences, price_display, receivables, roles

STATUS_CODE = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
#: the words of the document statuses (status_label), marked for translation
STATUS_WORDS = (
    N_("Accepted"), N_("Acknowledged"), N_("Applied"), N_("Approved"), N_("Cancelled"),
    N_("Changes requested"), N_("Closed"), N_("Confirmed"), N_("Credited"), N_("Declined"), N_("Delivered"),
    N_("Disputed"), N_("Draft"), N_("Exception"), N_("Expired"), N_("Failed"), N_("Held"), N_("In transit"),
    N_("Invoiced"), N_("Issued"), N_("Open"), N_("Paid"), N_("Partially paid"), N_("Partially shipped"), N_("Pending"),
    N_("Pending approval"), N_("Preparing"), N_("Proposed"), N_("Queued"), N_("Ready for billing"), N_("Received"),
    N_("Rejected"), N_("Requested"), N_("Resolved"), N_("Sending"), N_("Sent"), N_("Shipped"),
    N_("Submitted"), N_("Void"), N_("Waiting on customer"),
    # payment methods (receipts)
    N_("Bank transfer"), N_("Card"), N_("Direct debit"), N_("Cash"), N_("Other"),
    # ticket priorities
    N_("Low"), N_("Normal"), N_("High"),
)

log = logging.getLogger(__name__)

#: what a 503 asks clients to wait before trying again (seconds)
RETRY_AFTER_SECONDS = 30


def quantity(value) -> str:
    if value is None:
        return ""
    d = Decimal(str(value))
    return f"{d.normalize():f}" if d == d.to_integral() else f"{d:f}".rstrip("0")


def nav_entries():
    """Nav for the acting user: enabled features, audience of the acting company, permissions."""
    if not current_user.is_authenticated or current_user.is_staff:
        return []
    act = acting()
    if act.company is None:
        return []
    entries = []
    enabled = settings.enabled_features()
    for feature in registry():
        if not enabled.get(feature.key) or not feature.serves(act.company):
            continue
        for entry in feature.nav:
            if entry.permission is None or act.can(entry.permission):
                entries.append(entry)
    return entries


class NavLink(NamedTuple):
    url: str
    label: str
    #: the page shown is this entry's (or, for a feature's other pages, its first entry's)
    here: bool


def nav_links() -> list[NavLink]:
    """``nav_entries`` as the header shows them: each entry's address, label and whether it is the current
    page's entry — the page's own entry, else the first entry of the page's feature (Shop for the shop's
    other pages)."""
    entries = nav_entries()
    endpoint = request.endpoint or ""
    listed = {entry.endpoint for entry in entries}
    feature_of_page = endpoint.split(".")[0] if endpoint and endpoint not in listed else None
    links, seen = [], set()
    for entry in entries:
        feature = entry.endpoint.split(".")[0]
        here = endpoint == entry.endpoint or (feature == feature_of_page and feature not in seen)
        seen.add(feature)
        links.append(NavLink(plain_url(entry.endpoint), str(entry.label), here))
    return links


def plain_url(endpoint: str, **values) -> str:
    """``url_for`` for the frame's fixed addresses (an endpoint and constant arguments: the header's links,
    the stylesheets), built once per application root: the routes are fixed once the app is created.
    Not for arguments that come from a request (the kept addresses would grow without bound)."""
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    url = _plain_urls.get(key)
    if url is None:
        url = _plain_urls[key] = url_for(endpoint, **values)
    return url


_plain_urls: dict[tuple, str] = {}


def switchable_companies():
    if not current_user.is_authenticated or not current_user.is_contact:
        return []
    return current_memberships()


def brand_palette() -> dict[str, str]:
    """The branding colours and the readable colours derived from them (see portal.branding)."""
    return branding.palette(settings.get("branding.primary_color"), settings.get("branding.accent_color"))


def brand_css_url() -> str:
    """The stylesheet with the branding colours; its URL changes when they do (cached for long)."""
    return url_for("core.brand_css", v=_palette_version(settings.get("branding.primary_color"),
                                                        settings.get("branding.accent_color")))


@lru_cache(maxsize=16)
def _palette_version(primary: str, accent: str) -> str:
    return branding.version(branding.palette(primary, accent))


def status_label(value) -> str:
    """A status code in words, in the reader's language ("in_transit" -> "In transit" / "Onderweg"); text
    someone typed stays as it is."""
    text = str(getattr(value, "value", value) or "")
    if not STATUS_CODE.fullmatch(text):
        return text
    return gettext(text.replace("_", " ").capitalize())


def init_app(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["price"] = price_display.show_price
    app.jinja_env.filters["qty"] = quantity
    app.jinja_env.filters["status"] = status_label
    app.jinja_env.filters["date"] = day
    app.jinja_env.filters["datetime"] = moment
    app.jinja_env.filters["number"] = number
    app.jinja_env.globals.update(
        feature_enabled=settings.is_enabled, email_preferences=preferences.offered,
        switchable_companies=switchable_companies, setting=settings.get, nav_links=nav_links, plain_url=plain_url,
        acting=acting, can=can, invoice_overdue=receivables.is_overdue, invoice_open=receivables.is_open,
        brand_css_url=brand_css_url,
        portal_roles=roles.listed, role_abilities=roles.abilities,
    )

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return _page("errors/400.html", 400, error)

    @app.errorhandler(400)
    def bad_request(error):
        if isinstance(error, SecurityError):  # an untrusted Host, refused before routing: no page can be built
            return error
        return _page("errors/400_input.html", 400, error)

    @app.errorhandler(403)
    def forbidden(error):
        return _page("errors/403.html", 403, error)

    @app.errorhandler(404)
    def not_found(error):
        return _page("errors/404.html", 404, error)

    @app.errorhandler(413)
    def too_large(error):
        return _page("errors/413.html", 413, error)

    @app.errorhandler(429)
    def too_many(error):
        return _page("errors/429.html", 429, error)

    @app.errorhandler(500)
    def server_error(error):
        _abandon_transaction()
        if json_api.is_json_request():
            return json_api.error_response(500, "Internal server error. Try again later.")
        return _standalone("errors/500.html", 500)

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        """Errors without a page of their own (405, 415, ...): JSON for an API, else Werkzeug's."""
        return json_api.http_error(error) if json_api.is_json_request() else error

    for unavailable in UNAVAILABLE:
        app.register_error_handler(unavailable, database_unavailable)


def database_unavailable(error):
    """The database is down, hung, locked or gone: a branded 503 that asks to come back soon."""
    log.warning("database unavailable during %s %s: %s", request.method, request.path, error)
    _abandon_transaction()
    if json_api.is_json_request():
        return json_api.error_response(503, "The database is unavailable. Try again soon.",
                                       {"Retry-After": str(RETRY_AFTER_SECONDS)})
    response = _standalone("errors/503.html", 503)
    response[2]["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _page(template: str, status: int, error):
    """A branded error page in the site layout (JSON for an API: portal.json_api); the database-free 503 if
    the layout cannot be built."""
    if json_api.is_json_request():
        retry_after = json_api.seconds_until_reset(limiter) if status == 429 else None
        return json_api.http_error(error, retry_after=retry_after)
    try:
        return render_template(template, error=error), status, {}
    except UNAVAILABLE as exc:
        return database_unavailable(exc)


def _standalone(template: str, status: int):
    branding = {key.split(".", 1)[1]: settings.last_known(key)
                for key in ("branding.business_name", "branding.primary_color", "branding.accent_color")}
    return render_template(template, retry_after=RETRY_AFTER_SECONDS, **branding), status, {}


def _abandon_transaction() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone; the session is reset at teardown anyway
        log.debug("rollback after an error failed", exc_info=True)
