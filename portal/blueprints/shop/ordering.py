"""What the cart, checkout and approval pages share: the ordering switches and who acts for whom."""
from __future__ import annotations

from flask import abort

from portal import settings
from portal.models import Company
from portal.permissions import acting, can


def orders_allowed() -> bool:
    """Setting "ordering.allow_orders": customers may place orders online."""
    return bool(settings.get("ordering.allow_orders"))


def quotes_allowed() -> bool:
    """Setting "ordering.allow_quote_requests": the cart offers "Request a quote"."""
    return bool(settings.get("ordering.allow_quote_requests"))


def cart_open() -> bool:
    """The cart is in use while it leads somewhere: an order or a quote request."""
    return orders_allowed() or (quotes_allowed() and can("shop.quote"))


def require_orders_allowed() -> None:
    if not orders_allowed():
        abort(403, description="Ordering online is switched off at the moment. Contact us to place an order.")


def require_cart_open() -> None:
    if not cart_open():
        abort(403, description="Ordering online is switched off at the moment. Contact us to place an order.")


def company() -> Company:
    return acting().company
