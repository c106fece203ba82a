"""Shipments: where the company's goods are, with the carrier's tracking steps."""
from flask import Blueprint

from portal.features import Feature, NavEntry

bp = Blueprint("shipments", __name__)

feature = Feature(
    key="shipments",
    label="Shipments",
    description="Customers track the shipments of their orders",
    blueprint=bp,
    url_prefix="/shipments",
    requires=frozenset({"orders"}),
    nav=(NavEntry("shipments.index", "Shipments", permission="shipments.view"),),
    permissions={"shipments.view": "Track the company's shipments"},
)

from portal.blueprints.shipments import views  # noqa: F401
