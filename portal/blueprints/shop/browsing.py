"""Who is browsing the catalog: a customer (acting company) or a visitor of the guest catalog.

``catalog_access`` is the catalog pages' access policy: shop.browse for signed-in users (as
``require_permission``), and visitors who are not signed in while the guest catalog is on.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, wraps

from portal import settings
from portal.blueprints.guest_catalog.services import is_guest_visit, visitor_buyer
from portal.blueprints.shop import ordering
from portal.permissions import POLICY_ATTR, acting, require_permission
from portal.services import price_display
from portal.services.pricing import Buyer, buyer_for
from portal.services.visibility import Viewer


@dataclass(frozen=True)
class Shopper:
    viewer: Viewer
    buyer: Buyer
    #: a visitor of the guest catalog (not signed in)
    is_guest: bool
    #: may use the cart from the catalog pages
    may_order: bool

    @cached_property
    def sees_prices(self) -> bool:
        """Prices are shown (not hidden by the setting, and a guest tier is chosen for visitors). Read
        once per request (a shopper lives for one request), not once per product card."""
        return not price_display.prices_hidden() and not (self.is_guest and self.buyer.tier_id is None)

    @property
    def hidden_price(self) -> str:
        """What a hidden price shows as ("€0.00" or "Price on request", as the setting says)."""
        return price_display.show_price(Decimal(0))


def current_shopper() -> Shopper:
    if is_guest_visit():
        return Shopper(Viewer.guest(), visitor_buyer(), is_guest=True, may_order=False)
    act = acting()
    may_order = act.can("shop.order") and ordering.cart_open()
    return Shopper(Viewer.of(act.company), buyer_for(act.company, settings.get("pricing.portal_discount_percent")),
                   is_guest=False, may_order=may_order)


def catalog_access(view: Callable) -> Callable:
    """shop.browse for signed-in users; visitors too while the guest catalog is on."""
    guarded = require_permission("shop.browse")(view)

    @wraps(view)
    def wrapper(*args, **kwargs):
        if is_guest_visit():
            return view(*args, **kwargs)
        return guarded(*args, **kwargs)

    setattr(wrapper, POLICY_ATTR, getattr(guarded, POLICY_ATTR))
    return wrapper
