"""Purchase lists (seed 001 "Saved lists"): named lists of the company, shared or private, a computed
"Frequently ordered" list, and adding to lists from a past order, the cart and a product.

Views live in modules named for what they do: list_views (the lists themselves), line_views (lines and
the cart), source_views (add from an order, the cart, a product), frequent_views (frequently ordered).
Business rules are in portal.services.purchase_lists (lists, sharing, lines), purchase_list_cart (prices
and the cart) and frequent_products (computed from the order history on every read, never stored).

Roles: Admin and Buyer get "lists.view" and "lists.use" (make and change lists, put them in the cart — the
cart also needs "shop.order"). A Viewer gets "lists.view" only: the lists colleagues share and the
frequently ordered products, read-only, no cart — a Viewer looks and changes nothing. Finance gets neither.
"""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.blueprints.purchase_lists.isolation import make_purchase_list
from portal.contract import Feature, NavEntry, SettingSpec
from portal.i18n import N_

bp = Blueprint("purchase_lists", __name__)

feature = Feature(
    key="purchase_lists",
    label="Purchase lists",
    description="Customers keep named lists of products (per project), share them with colleagues and put "
                "them in the cart; a frequently-ordered list follows their order history",
    blueprint=bp,
    url_prefix="/lists",
    requires=frozenset({"shop"}),  # lists go into the shop's cart, at the shop's prices
    # no `summary`: invitations promise "order online" through the shop already
    nav=(NavEntry("purchase_lists.index", _l("Lists"), permission="lists.view"),),
    permissions={
        "lists.view": N_("See the purchase lists colleagues share and the frequently ordered products"),
        "lists.use": N_("Make purchase lists, change them and put them in the cart"),
    },
    grants={
        "Admin": {"lists.view", "lists.use"},
        "Buyer": {"lists.view", "lists.use"},
        "Viewer": {"lists.view"},
    },
    settings={
        "frequent_days": SettingSpec(180, "Frequently ordered: orders of the last … days count", type="int",
                                     minimum=7, maximum=1095),
        "frequent_count": SettingSpec(20, "Frequently ordered: at most … products", type="int",
                                      minimum=1, maximum=100),
    },
    isolation={"list_id": make_purchase_list},
)

from portal.blueprints.purchase_lists import chooser, frequent_views, line_views, list_views, source_views  # noqa: F401
