"""Shop: the catalog at each customer's own prices and stock, cart, quick order, checkout, approvals.

Views live in modules named for what they do (catalog_views, cart_views, checkout_views,
approval_views); each registers its routes on ``bp``.
"""
from flask import Blueprint

from portal.blueprints.shop.isolation import make_product, make_product_image
from portal.contract import Feature, NavEntry

bp = Blueprint("shop", __name__)

feature = Feature(
    key="shop",
    label="Shop",
    description="Customers browse the catalog at their own prices and stock, and order online",
    summary="browse the catalog at your prices and order online",
    blueprint=bp,
    url_prefix="/shop",
    requires=frozenset({"orders"}),  # placed orders are followed on the Orders pages
    nav=(NavEntry("shop.index", "Shop", permission="shop.browse"),),
    permissions={
        "shop.browse": "Browse the catalog at the company's prices",
        "shop.order": "Use the cart and place orders",
        "shop.quote": "Request a quote from the cart",
        "shop.approve": "Approve or reject orders waiting for approval",
    },
    grants={
        "Admin": {"shop.browse", "shop.order", "shop.quote", "shop.approve"},
        "Buyer": {"shop.browse", "shop.order", "shop.quote"},
        "Viewer": {"shop.browse"},
        "Finance": {"shop.browse"},
    },
    isolation={"product_id": make_product, "image_id": make_product_image},
)

from portal.blueprints.shop import catalog_views  # noqa: F401
