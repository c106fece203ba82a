"""The orders feature's dashboard blocks: open orders and the most recent ones."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.models import Company, SalesOrder
from portal.services import orders

RECENT = 5


@dataclass(frozen=True)
class OpenOrders:
    count: int
    value: Decimal


def open_orders(company: Company) -> OpenOrders:
    """How many orders are open and what they are worth (not yet invoiced)."""
    return OpenOrders(orders.open_order_count(company), orders.open_orders_value(company))


def recent_orders(company: Company) -> list[SalesOrder]:
    return orders.recent_orders(company, RECENT)
