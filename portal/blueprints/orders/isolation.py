"""Objects the orders pages take, made for one company (the tenant-isolation matrix uses these)."""
from __future__ import annotations

from decimal import Decimal

from portal.extensions import db
from portal.models import Company, SalesOrder, SalesOrderLine


def make_order(company: Company) -> int:
    order = SalesOrder(company_id=company.id, currency=company.currency, subtotal=Decimal("100.00"),
                       tax_total=Decimal("21.00"), total=Decimal("121.00"))
    order.lines.append(SalesOrderLine(description="Widget", quantity=Decimal(1), unit_price=Decimal("100.00"),
                                      line_total=Decimal("100.00")))
    db.session.add(order)
    db.session.flush()
    return order.id
