"""The orders feature's dashboard blocks: open orders, lifetime figures (total orders and sales) and the most
recent orders."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.models import Company, SalesOrder
from portal.services import company_figures, orders

RECENT = 5


@dataclass(frozen=True)
class OpenOrders:
    count: int
    value: Decimal


def open_orders(company: Company) -> OpenOrders:
    """How many orders are open and what they are worth (not yet invoiced)."""
    return OpenOrders(orders.open_order_count(company), orders.open_orders_value(company))


def lifetime_figures(company: Company) -> company_figures.Lifetime:
    """Total orders and total sales since the company's first order (kept figures: one row read)."""
    return company_figures.lifetime(company)


def recent_orders(company: Company) -> list[SalesOrder]:
    return orders.recent_orders(company, RECENT)
