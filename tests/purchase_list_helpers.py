"""Helpers for the purchase-list tests: orders with product lines, the lines of a list, flashed messages."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.extensions import db
from portal.models import OrderStatus, PurchaseList, PurchaseListItem, SalesOrder, SalesOrderLine
from portal.services import clock
from portal.services.numbering import next_number


def ordered(company, lines, *, days_ago: int = 1, status=OrderStatus.delivered) -> SalesOrder:
    """A past order of the company with (product, quantity) lines."""
    order = SalesOrder(number=next_number("sales_order"), company_id=company.id, status=status,
                       currency=company.currency, placed_dt=clock.now() - timedelta(days=days_ago))
    for position, (product, quantity) in enumerate(lines, start=1):
        order.lines.append(SalesOrderLine(position=position, product_id=product.id, description=product.name,
                                          quantity=Decimal(quantity), unit_price=Decimal("1.00"),
                                          line_total=Decimal(quantity)))
    db.session.add(order)
    db.session.commit()
    return order


def lines_of(plist_or_id) -> list[tuple[int, Decimal, str]]:
    """(product id, quantity, note) of a list's lines, in the list's order."""
    list_id = getattr(plist_or_id, "id", plist_or_id)
    db.session.expire_all()
    return [(i.product_id, i.quantity, i.note) for i in db.session.execute(
        select(PurchaseListItem).where(PurchaseListItem.purchase_list_id == list_id)
        .order_by(PurchaseListItem.position, PurchaseListItem.id)).scalars()]


def lists_of(company) -> list[PurchaseList]:
    db.session.expire_all()
    return list(db.session.execute(select(PurchaseList).where(PurchaseList.company_id == company.id)
                                   .order_by(PurchaseList.id)).scalars())


def flashes(page) -> list[str]:
    return [p.get_text(" ", strip=True) for p in page.html.select(".flashes .flash")]
