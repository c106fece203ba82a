"""Shop: the catalog at each customer's own prices and stock, cart, quick order, checkout, approvals.

Views live in modules named for what they do (catalog_views, cart_views, checkout_views,
approval_views); each registers its routes on ``bp``.
"""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.admin_views.order_requests import ordering_views
from portal.blueprints.shop.isolation import make_product, make_product_image
from portal.contract import ActivityKind, Block, EmailKind, Feature, NavEntry, SettingSpec
from portal.i18n import N_
from portal.services.approvals import waiting_count

bp = Blueprint("shop", __name__)

feature = Feature(
    key="shop",
    label="Shop",
    description="Customers browse the catalog at their own prices and stock, and order online",
    summary=_l("browse the catalog at your prices and order online"),
    blueprint=bp,
    url_prefix="/shop",
    requires=frozenset({"orders"}),  # placed orders are followed on the Orders pages
    nav=(NavEntry("shop.index", _l("Shop"), permission="shop.browse"),
         NavEntry("shop.cart", _l("Cart"), permission="shop.order"),
         NavEntry("shop.approvals", _l("Approvals"), permission="shop.approve"),),
    permissions={
        "shop.browse": N_("Browse the catalog at the company's prices"),
        "shop.order": N_("Use the cart and place orders"),
        "shop.quote": N_("Request a quote from the cart"),
        "shop.approve": N_("Approve or reject orders waiting for approval"),
        "shop.approval_rules": N_("Set which of the company's orders wait for approval"),
    },
    grants={
        "Admin": {"shop.browse", "shop.order", "shop.quote", "shop.approve", "shop.approval_rules"},
        "Buyer": {"shop.browse", "shop.order", "shop.quote"},
        "Viewer": {"shop.browse"},
        "Finance": {"shop.browse"},
    },
    settings={
        "credit_check": SettingSpec("refuse", "An order that exceeds the customer's available credit", type="choice",
                                    choices=(("refuse", "Is refused, showing the figures"),
                                             ("approval", "Waits for staff approval (Sales → Credit approvals)"))),
    },
    admin_views=ordering_views,
    dashboard=(Block("shop/approval_block.html", waiting_count, permission="shop.approve", area="stats"),),
    notices={"order_approved": N_("Order approved"), "order_rejected": N_("Order rejected")},
    emails={
        "order_confirmation": EmailKind("Order confirmation", "shop/checkout_confirmation_email",
                                        placeholders=("recipient_name", "order_number", "company_name", "link")),
        "order_approval_requested": EmailKind("An order waits for your approval", "shop/approval_requested_email",
                                              placeholders=("recipient_name", "order_number", "company_name",
                                                            "placed_by_name", "link")),
        "order_approval_decided": EmailKind("Order approved or rejected", "shop/approval_decided_email",
                                            placeholders=("recipient_name", "order_number", "company_name",
                                                          "decision", "comment", "decided_by_name", "link")),
    },
    events={
        "order_placed": "A customer placed an order in the shop",
        "quote_requested": "A customer requested a quote from the cart",
        "order_cancel_requested": "A customer asked to cancel an order",
    },
    isolation={"product_id": make_product, "image_id": make_product_image},
    activity={"order_placed": ActivityKind(_l("Placed an order"), marks="order", page="admin_sales_order.edit_view")},
)

from portal.blueprints.shop import catalog_views  # noqa: F401

# isort: split
# Ordering: cart, quick order and reorder, checkout, approvals.
from portal.blueprints.shop import approval_views, cart_views, checkout_views, quick_order_views  # noqa: F401
