"""Support tickets: customers open tickets (with attachments), follow the conversation, reply and close them.

Who sees what is portal.services.tickets' rule: tickets.open sees one's own and the company's shared
tickets, tickets.view_all every ticket of the company.
"""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.admin_views.service import ticket_views
from portal.blueprints.tickets.blocks import open_tickets
from portal.blueprints.tickets.isolation import make_attachment, make_ticket
from portal.contract import ActivityKind, Block, EmailKind, Feature, NavEntry, NumberKind
from portal.i18n import N_

bp = Blueprint("tickets", __name__)

feature = Feature(
    key="tickets",
    label="Support tickets",
    description="Customers open support tickets with attachments and follow the conversation with staff",
    blueprint=bp,
    url_prefix="/tickets",
    nav=(NavEntry("tickets.index", _l("Support"), permission="tickets.open"),),
    permissions={"tickets.open": N_("Open support tickets; see one's own and the company's shared tickets, reply "
                                    "and close them"),
                 "tickets.view_all": N_("See every support ticket of the company, also those not shared")},
    grants={"Admin": {"tickets.open", "tickets.view_all"}, "Buyer": {"tickets.open"},
            "Viewer": {"tickets.open"}, "Finance": {"tickets.open"}},
    admin_views=ticket_views,
    dashboard=(Block("tickets/_open_tickets.html", open_tickets, permission="tickets.open", area="stats"),),
    numbers={"ticket": NumberKind("TCK")},
    # No preference: a reply to a question the customer asked is always emailed.
    notices={"ticket_reply": N_("New reply on a ticket")},
    emails={"ticket_reply": EmailKind("Reply on a support ticket", "tickets/email/reply", placeholders=(
                                          "recipient_name", "ticket_number", "ticket_subject", "message",
                                          "sender_name", "link"))},
    events={"ticket_opened": "A customer opened a support ticket",
            "ticket_customer_reply": "A customer replied on a support ticket"},
    isolation={"ticket_id": make_ticket, "attachment_id": make_attachment},
    activity={
        "ticket_opened": ActivityKind(_l("Opened a support ticket"), page="admin_ticket.thread"),
        "ticket_replied": ActivityKind(_l("Replied on a support ticket"), page="admin_ticket.thread"),
        "ticket_closed": ActivityKind(_l("Closed a support ticket"), page="admin_ticket.thread"),
    },
)

from portal.blueprints.tickets import views  # noqa: F401
