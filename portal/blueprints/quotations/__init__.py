"""Quotations: the offers sent to the company, their sections, lines and conversation."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.admin_views.sales import quote_views
from portal.blueprints.quotations.isolation import make_quote
from portal.contract import ActivityKind, EmailKind, Feature, NavEntry, NumberKind, SettingSpec
from portal.i18n import N_

bp = Blueprint("quotations", __name__)

feature = Feature(
    key="quotations",
    label="Quotations",
    description="Customers see the quotes sent to them and the conversation about each",
    summary=_l("see the quotes we send you"),
    blueprint=bp,
    url_prefix="/quotes",
    nav=(NavEntry("quotations.index", _l("Quotes"), permission="quotes.view"),),
    permissions={"quotes.view": N_("See the company's quotes, download them and ask for changes"),
                 "quotes.accept": N_("Accept or decline the company's quotes")},
    grants={"Admin": {"quotes.view", "quotes.accept"}, "Buyer": {"quotes.view", "quotes.accept"},
            "Viewer": {"quotes.view"}, "Finance": {"quotes.view"}},
    admin_views=quote_views,
    settings={"finance_gate": SettingSpec(
        False, "Finance approval gate",
        help="An accepted quote waits as “ready for billing” for finance, and its page shows the client "
             "whether payment is pending, paid or under review")},
    numbers={"quote": NumberKind("Q")},
    notices={"quote_accepted": N_("Quote accepted")},
    emails={
        "quote_shared": EmailKind("Quote shared by link", "quotations/email/shared", placeholders=(
            "recipient_name", "quote_number", "quote_title", "message", "link", "valid_until", "sender_name",
            "sender_email")),
        "quote_reply": EmailKind("Reply about a quote", "quotations/email/reply", placeholders=(
            "recipient_name", "quote_number", "quote_title", "message", "link", "sender_name")),
        "quote_accepted": EmailKind("Quote accepted: the signed copy", "quotations/email/accepted", placeholders=(
            "recipient_name", "quote_number", "quote_title", "total", "signed_at", "revision", "evidence_hash",
            "snapshot_hash", "pdf_hash", "order_number", "ready_for_billing", "link")),
    },
    events={
        "quote_changes_requested": "A client asked for changes to a quote",
        "quote_declined": "A client declined a quote",
        "quote_accepted": "A client accepted a quote (typed-name e-signature)",
    },
    isolation={"quote_id": make_quote},  # the share link's <token> is the core's opaque argument
    activity={
        "quote_viewed": ActivityKind(_l("Viewed a quote"), page="admin_quote.edit_view"),
        "quote_pdf_downloaded": ActivityKind(_l("Downloaded a quote PDF"), page="admin_quote.edit_view"),
        "quote_changes_requested": ActivityKind(_l("Asked for changes to a quote"), page="admin_quote.edit_view"),
        "quote_declined": ActivityKind(_l("Declined a quote"), page="admin_quote.edit_view"),
        # accepting makes the sales order
        "quote_accepted": ActivityKind(_l("Accepted a quote"), marks="order", page="admin_quote.edit_view"),
        "quote_revised": ActivityKind(_l("Staff revised a quote"), customer=False, page="admin_quote.edit_view"),
    },
)

from portal.blueprints.quotations import views  # noqa: F401
