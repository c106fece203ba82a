"""Quotations: the offers sent to the company, their sections, lines and conversation."""
from flask import Blueprint

from portal.admin_views.sales import quote_views
from portal.blueprints.quotations.isolation import make_quote
from portal.contract import EmailKind, Feature, NavEntry, NumberKind

bp = Blueprint("quotations", __name__)

feature = Feature(
    key="quotations",
    label="Quotations",
    description="Customers see the quotes sent to them and the conversation about each",
    summary="see the quotes we send you",
    blueprint=bp,
    url_prefix="/quotes",
    nav=(NavEntry("quotations.index", "Quotes", permission="quotes.view"),),
    permissions={"quotes.view": "See the company's quotes and their conversation"},
    grants={role: {"quotes.view"} for role in ("Admin", "Buyer", "Viewer", "Finance")},
    admin_views=quote_views,
    numbers={"quote": NumberKind("Q")},
    emails={
        "quote_shared": EmailKind("Quote shared by link", "quotations/email/shared", placeholders=(
            "recipient_name", "quote_number", "quote_title", "message", "link", "valid_until", "sender_name",
            "sender_email")),
    },
    isolation={"quote_id": make_quote},  # the share link's <token> is the core's opaque argument
)

from portal.blueprints.quotations import views  # noqa: F401
