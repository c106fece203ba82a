""""Frequently ordered": the products a company ordered most often lately, with the quantity it usually takes.

Computed from the order history on every read, never stored: it cannot go stale, needs no job to
refresh it, and an order placed a minute ago counts at once. Two queries (the ranking, then the
quantities of the ranked products) over the company's orders of the window, which the index on
sales_order.company_id keeps small. Cancelled and rejected orders do not count. Products the company
may no longer see are left out (filtered in the ranking query itself).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Company, OrderStatus, Product, SalesOrder, SalesOrderLine
from portal.services import clock
from portal.services.visibility import Viewer, visible_clause

#: orders in these states were never delivered as asked: they say nothing about what the company buys
NOT_COUNTED = (OrderStatus.cancelled, OrderStatus.rejected)


@dataclass(frozen=True)
class Frequent:
    product: Product
    #: on how many orders of the window it was
    times: int
    #: the quantity ordered most often (the larger one on a tie)
    usual_quantity: Decimal
    last_ordered: datetime


def usual(quantities: list[Decimal]) -> Decimal:
    """The quantity that occurs most often; on a tie the larger one (a buyer rather has enough)."""
    counted = Counter(Decimal(q).normalize() for q in quantities)
    return max(counted.items(), key=lambda kv: (kv[1], kv[0]))[0]


def for_company(company: Company, *, days: int, limit: int) -> list[Frequent]:
    """The `limit` products on most of the company's orders placed in the last `days` days, most often first."""
    since = clock.now() - timedelta(days=days)
    counted = (SalesOrder.company_id == company.id, SalesOrder.placed_dt >= since,
               SalesOrder.status.not_in(NOT_COUNTED))
    times = func.count(func.distinct(SalesOrder.id))
    last = func.max(SalesOrder.placed_dt)
    ranked = db.session.execute(
        select(Product, times, last).join(SalesOrderLine, SalesOrderLine.product_id == Product.id)
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
        .where(*counted, visible_clause(Viewer.of(company)))
        .group_by(Product.id).order_by(times.desc(), last.desc(), Product.id).limit(limit)).all()
    if not ranked:
        return []
    quantities: dict[int, list[Decimal]] = {}
    for product_id, quantity in db.session.execute(
            select(SalesOrderLine.product_id, SalesOrderLine.quantity)
            .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
            .where(*counted, SalesOrderLine.product_id.in_([p.id for p, _, _ in ranked]))):
        quantities.setdefault(product_id, []).append(quantity)
    return [Frequent(product, n, usual(quantities[product.id]), last_dt) for product, n, last_dt in ranked]
