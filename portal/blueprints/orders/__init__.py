from flask import Blueprint

from portal.features import Feature, NavEntry

bp = Blueprint("orders", __name__)

feature = Feature(
    key="orders",
    label="Orders",
    description="Customers see their order history, order lines and status",
    blueprint=bp,
    url_prefix="/orders",
    nav=(NavEntry("orders.index", "Orders", permission="orders.view"),),
    permissions={"orders.view": "See the company's orders"},
)

from portal.blueprints.orders import views  # noqa: F401
