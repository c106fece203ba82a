"""Orders: the company's order history, order lines and status."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.admin_views.sales import order_views
from portal.blueprints.orders.blocks import lifetime_figures, open_orders, recent_orders
from portal.blueprints.orders.isolation import make_charge, make_order
from portal.contract import ActivityKind, Block, EmailKind, Feature, NavEntry, NumberKind
from portal.i18n import N_

bp = Blueprint("orders", __name__)

feature = Feature(
    key="orders",
    label=N_("Orders"),
    description="Customers see their order history, order lines and status",
    summary=_l("follow your orders"),
    blueprint=bp,
    url_prefix="/orders",
    nav=(NavEntry("orders.index", _l("Orders"), permission="orders.view"),),
    permissions={"orders.view": N_("See the company's orders")},
    grants={role: {"orders.view"} for role in ("Admin", "Buyer", "Viewer", "Finance")},
    admin_views=order_views,
    dashboard=(Block("orders/_open_orders.html", open_orders, permission="orders.view", area="stats"),
               Block("orders/_lifetime.html", lifetime_figures, permission="orders.view", area="stats"),
               Block("orders/_recent_orders.html", recent_orders, permission="orders.view")),
    notices={"order_confirmed": N_("Order confirmed"), "charges_proposed": N_("Extra charge to approve")},
    emails={"order_confirmed": EmailKind("Order confirmed", "orders/email/confirmed", pref="order_confirmed",
                                         pref_label=N_("Orders we confirmed"), placeholders=(
                                             "recipient_name", "company_name", "order_number", "total",
                                             "customer_reference", "link")),
            "charges_proposed": EmailKind("Extra charge to approve", "orders/email/charges_proposed",
                                          pref="charges_proposed",
                                          pref_label=N_("Extra charges on our orders waiting for approval"),
                                          placeholders=("recipient_name", "company_name", "order_number",
                                                        "description", "charge_kind", "amount", "link"))},
    events={"charge_approved": "A customer approved an extra charge on an order",
            "charge_rejected": "A customer rejected an extra charge on an order"},
    numbers={"sales_order": NumberKind("SO")},
    isolation={"order_id": make_order, "charge_id": make_charge},
    activity={"order_pdf_downloaded": ActivityKind(_l("Downloaded an order PDF"),
                                                   page="admin_sales_order.edit_view")},
)

from portal.blueprints.orders import charge_views, pdf_views, views  # noqa: F401
