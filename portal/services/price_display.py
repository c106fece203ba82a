"""How a price is shown in the portal, emails and documents: the "hide prices" setting.

Hidden prices are product prices and the amounts of quotes and orders (what a customer buys);
they show as a zero amount (seed 000: "display as $0") or as "Price on request", as staff choose.
Invoices, receipts, credit notes and balances always show what is owed and paid.
"""
from __future__ import annotations

from decimal import Decimal

from portal import settings
from portal.money import money

ON_REQUEST = "Price on request"


def prices_hidden() -> bool:
    return bool(settings.get("prices.hide"))


def show_price(value, currency: str = "EUR") -> str:
    """The amount as the customer may see it."""
    if not prices_hidden():
        return money(value, currency)
    if settings.get("prices.hidden_as") == "on_request":
        return ON_REQUEST
    return money(Decimal(0), currency)
