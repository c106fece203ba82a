"""Supplier documents: the purchase orders we sent a supplier and the bills it sent us.

Supplier contacts whose role may respond acknowledge a purchase order, propose another delivery date and
add notes (portal.services.purchase_order_responses); staff answer proposals in the back office.
"""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.admin_views.purchasing import views as purchasing_views
from portal.blueprints.supplier import isolation
from portal.blueprints.supplier.blocks import bills_due
from portal.blueprints.supplier.services import open_purchase_orders
from portal.contract import ActivityKind, Block, EmailKind, Feature, NavEntry, NumberKind
from portal.i18n import N_
from portal.services import purchase_order_responses as responses

bp = Blueprint("supplier", __name__)

_ANSWER = ("recipient_name", "purchase_order_number", "proposed_date", "expected_date", "link")

feature = Feature(
    key="supplier",
    label="Supplier documents",
    description="Supplier contacts see our purchase orders and the state of their bills",
    summary=_l("see our purchase orders and the state of your bills"),
    blueprint=bp,
    url_prefix="/supplier",
    audience="supplier",
    nav=(NavEntry("supplier.purchase_orders", _l("Purchase orders & bills"), permission="supplier.view"),),
    permissions={"supplier.view": N_("Suppliers: see our purchase orders and their bills"),
                 "supplier.respond": N_("Suppliers: acknowledge purchase orders, propose delivery dates, add notes")},
    grants={"Admin": {"supplier.view", "supplier.respond"}, "Buyer": {"supplier.view", "supplier.respond"},
            "Viewer": {"supplier.view"}, "Finance": {"supplier.view"}},
    admin_views=purchasing_views,
    dashboard=(Block("supplier/_open_purchase_orders.html", open_purchase_orders, permission="supplier.view"),
               Block("supplier/_bills_due.html", bills_due, permission="supplier.view")),
    numbers={"purchase_order": NumberKind("PO"), "supplier_bill": NumberKind("BILL")},
    events=responses.EVENTS,
    # No preference: each answers a proposal the contact made.
    emails={
        responses.DATE_ACCEPTED: EmailKind("Proposed delivery date accepted", "supplier/email/date_accepted",
                                           placeholders=_ANSWER),
        responses.DATE_DECLINED: EmailKind("Proposed delivery date declined", "supplier/email/date_declined",
                                           placeholders=(*_ANSWER, "message")),
    },
    isolation={"purchase_order_id": isolation.make_purchase_order, "bill_id": isolation.make_bill},
    activity={
        responses.ACKNOWLEDGED: ActivityKind(_l("Acknowledged a purchase order"), page="admin_purchase_order.edit_view"),
        responses.DATE_PROPOSED: ActivityKind(_l("Proposed a delivery date"), page="admin_purchase_order.edit_view"),
        responses.NOTE_ADDED: ActivityKind(_l("Added a note to a purchase order"), page="admin_purchase_order.edit_view"),
        "purchase_order_pdf_downloaded": ActivityKind(_l("Downloaded a purchase order PDF"),
                                                      page="admin_purchase_order.edit_view"),
        "supplier_bill_pdf_downloaded": ActivityKind(_l("Downloaded a supplier bill PDF"),
                                                     page="admin_supplier_bill.edit_view"),
    },
)

from portal.blueprints.supplier import pdf_views, response_views, views  # noqa: F401
