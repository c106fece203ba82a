"""Supplier documents: the purchase orders we sent a supplier and the bills it sent us."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.admin_views.purchasing import views as purchasing_views
from portal.blueprints.supplier import isolation
from portal.blueprints.supplier.blocks import bills_due
from portal.blueprints.supplier.services import open_purchase_orders
from portal.contract import Block, Feature, NavEntry, NumberKind
from portal.i18n import N_

bp = Blueprint("supplier", __name__)

feature = Feature(
    key="supplier",
    label="Supplier documents",
    description="Supplier contacts see our purchase orders and the state of their bills",
    summary=_l("see our purchase orders and the state of your bills"),
    blueprint=bp,
    url_prefix="/supplier",
    audience="supplier",
    nav=(NavEntry("supplier.purchase_orders", _l("Purchase orders & bills"), permission="supplier.view"),),
    permissions={"supplier.view": N_("Suppliers: see our purchase orders and their bills")},
    grants={role: {"supplier.view"} for role in ("Admin", "Buyer", "Viewer", "Finance")},
    admin_views=purchasing_views,
    dashboard=(Block("supplier/_open_purchase_orders.html", open_purchase_orders, permission="supplier.view"),
               Block("supplier/_bills_due.html", bills_due, permission="supplier.view")),
    numbers={"purchase_order": NumberKind("PO"), "supplier_bill": NumberKind("BILL")},
    isolation={"purchase_order_id": isolation.make_purchase_order, "bill_id": isolation.make_bill},
)

from portal.blueprints.supplier import views  # noqa: F401
