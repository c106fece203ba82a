"""Shipments: where the company's goods are, with the carrier's tracking steps."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.admin_views.fulfilment import shipment_views
from portal.blueprints.shipments.isolation import make_shipment
from portal.contract import ActivityKind, EmailKind, Feature, IsolationArg, NavEntry, NumberKind
from portal.i18n import N_

bp = Blueprint("shipments", __name__)
_SHIPMENT = ("recipient_name", "company_name", "shipment_number", "order_number", "carrier", "tracking_number",
             "link")

feature = Feature(
    key="shipments",
    label=N_("Shipments"),
    description="Customers track the shipments of their orders",
    summary=_l("track your shipments"),
    blueprint=bp,
    url_prefix="/shipments",
    requires=frozenset({"orders"}),
    nav=(NavEntry("shipments.index", _l("Shipments"), permission="shipments.view"),),
    permissions={"shipments.view": N_("Track the company's shipments")},
    grants={role: {"shipments.view"} for role in ("Admin", "Buyer", "Viewer", "Finance")},
    admin_views=shipment_views,
    notices={"shipment_dispatched": N_("Shipment on its way"), "shipment_delivered": N_("Shipment delivered")},
    emails={
        "shipment_dispatched": EmailKind("Shipment dispatched", "shipments/email/dispatched",
                                         pref="shipment_dispatched", pref_label=N_("Shipments on their way"),
                                         placeholders=_SHIPMENT),
        "shipment_delivered": EmailKind("Shipment delivered", "shipments/email/delivered",
                                        pref="shipment_delivered", pref_label=N_("Shipments delivered"),
                                        placeholders=_SHIPMENT),
    },
    numbers={"shipment": NumberKind("SH")},
    # the tracking API's <shipment_ref> is no portal user's: integration keys are the business's own
    isolation={"shipment_id": make_shipment, "shipment_ref": IsolationArg(owner="opaque")},
    activity={"delivery_note_pdf_downloaded": ActivityKind(_l("Downloaded a delivery note"),
                                                           page="admin_shipment.edit_view")},
)

from portal.blueprints.shipments import pdf_views, tracking_api, views  # noqa: F401
