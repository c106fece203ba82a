"""Orders: the company's order history, order lines and status."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.admin_views.sales import order_views
from portal.blueprints.orders.blocks import lifetime_figures, open_orders, recent_orders
from portal.blueprints.orders.isolation import make_order
from portal.contract import Block, EmailKind, Feature, NavEntry, NumberKind
from portal.i18n import N_

bp = Blueprint("orders", __name__)

feature = Feature(
    key="orders",
    label="Orders",
    description="Customers see their order history, order lines and status",
    summary="follow your orders",
    blueprint=bp,
    url_prefix="/orders",
    nav=(NavEntry("orders.index", _l("Orders"), permission="orders.view"),),
    permissions={"orders.view": "See the company's orders"},
    grants={role: {"orders.view"} for role in ("Admin", "Buyer", "Viewer", "Finance")},
    admin_views=order_views,
    dashboard=(Block("orders/_open_orders.html", open_orders, permission="orders.view", area="stats"),
               Block("orders/_lifetime.html", lifetime_figures, permission="orders.view", area="stats"),
               Block("orders/_recent_orders.html", recent_orders, permission="orders.view")),
    notices={"order_confirmed": N_("Order confirmed")},
    emails={"order_confirmed": EmailKind("Order confirmed", "orders/email/confirmed", pref="order_confirmed",
                                         pref_label="Orders we confirmed", placeholders=(
                                             "recipient_name", "company_name", "order_number", "total",
                                             "customer_reference", "link"))},
    numbers={"sales_order": NumberKind("SO")},
    isolation={"order_id": make_order},
)

from portal.blueprints.orders import pdf_views, views  # noqa: F401
