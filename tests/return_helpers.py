"""Delivered orders and the return request form, for the returns tests."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select
from webtest import TestApp, Upload

from portal.models import (
    Company,
    OrderStatus,
    ReturnRequest,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentStatus,
)
from portal.services import clock
from portal.services.numbering import next_number


def delivered_order(make, company: Company, *, days_ago: int = 3, lines=(("4", "25.00"), ("2", "10.00"))
                    ) -> SalesOrder:
    """A delivered order of `company` with product lines (quantity, unit price), delivered `days_ago`."""
    order = SalesOrder(number=next_number("sales_order"), company_id=company.id, status=OrderStatus.delivered,
                       currency=company.currency, placed_dt=clock.now() - timedelta(days=days_ago + 2))
    for position, (quantity, price) in enumerate(lines, start=1):
        product = make.product(price=price, name=f"Widget {position}")
        order.lines.append(SalesOrderLine(position=position, product_id=product.id, description=product.name,
                                          quantity=Decimal(quantity), quantity_shipped=Decimal(quantity),
                                          unit_price=Decimal(price), line_total=Decimal(quantity) * Decimal(price)))
    make._save(order)
    make._save(Shipment(number=next_number("shipment"), company_id=company.id, order_id=order.id,
                        status=ShipmentStatus.delivered, delivered_dt=clock.now() - timedelta(days=days_ago)))
    return order


def request_form(client: TestApp, order: SalesOrder, wanted: dict, *, note: str = "",
                 files: tuple[tuple[str, bytes], ...] = (), status: int | str = "*"):
    """Fill the return form of `order` like a person: wanted is {order line: (quantity, reason[, words])}."""
    form = client.get(f"/returns/new?order={order.id}").forms["new-return"]
    for line, (quantity, reason, *words) in wanted.items():
        form[f"qty-{line.id}"] = quantity
        form[f"reason-{line.id}"] = reason
        if words:
            form[f"why-{line.id}"] = words[0]
    form["note"] = note
    if files:
        form["files"] = [Upload(name, data) for name, data in files]
    return form.submit(status=status)


def return_count(db) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(ReturnRequest)).scalar_one()
