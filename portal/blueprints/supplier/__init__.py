"""Supplier documents: the purchase orders we sent a supplier and the bills it sent us."""
from flask import Blueprint

from portal.features import Feature, NavEntry

bp = Blueprint("supplier", __name__)

feature = Feature(
    key="supplier",
    label="Supplier documents",
    description="Supplier contacts see our purchase orders and the state of their bills",
    blueprint=bp,
    url_prefix="/supplier",
    audience="supplier",
    nav=(NavEntry("supplier.purchase_orders", "Purchase orders & bills", permission="supplier.view"),),
    permissions={"supplier.view": "Suppliers: see our purchase orders and their bills"},
)

from portal.blueprints.supplier import views  # noqa: F401
