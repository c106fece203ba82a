"""Objects the orders pages take, made for one company (the tenant-isolation matrix uses these)."""
from __future__ import annotations

from decimal import Decimal

from portal.extensions import db
from portal.models import Company, OrderCharge, SalesOrder, SalesOrderLine


def make_order(company: Company) -> int:
    order = SalesOrder(company_id=company.id, currency=company.currency, subtotal=Decimal("100.00"),
                       tax_total=Decimal("21.00"), total=Decimal("121.00"))
    order.lines.append(SalesOrderLine(description="Widget", quantity=Decimal(1), unit_price=Decimal("100.00"),
                                      line_total=Decimal("100.00")))
    db.session.add(order)
    db.session.flush()
    return order.id


def make_charge(company: Company) -> int:
    """A proposed charge on a new order of the company, which sees charges on the portal."""
    company.show_charges_on_portal = True
    charge = OrderCharge(order_id=make_order(company), description="Freight", amount=Decimal("25.00"),
                         total=Decimal("30.25"))
    db.session.add(charge)
    db.session.flush()
    return charge.id
