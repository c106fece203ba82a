"""Objects the return pages take, made for one company (the tenant-isolation matrix uses these)."""
from __future__ import annotations

import secrets
from decimal import Decimal

from portal.extensions import db
from portal.models import (
    Company,
    OrderStatus,
    Product,
    ReturnAttachment,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
    SalesOrder,
    SalesOrderLine,
)
from portal.services import uploads


def _return(company: Company) -> ReturnRequest:
    product = Product(sku=f"RET-{company.id}-{secrets.token_hex(4)}", name="Returned widget")
    order = SalesOrder(company_id=company.id, status=OrderStatus.delivered, currency=company.currency)
    line = SalesOrderLine(description="Returned widget", product=product, quantity=Decimal(2),
                          quantity_shipped=Decimal(2), unit_price=Decimal("10.00"), line_total=Decimal("20.00"))
    order.lines.append(line)
    db.session.add_all([product, order])
    db.session.flush()
    request = ReturnRequest(company_id=company.id, order_id=order.id, status=ReturnStatus.approved,
                            staff_note="Send it to our warehouse.")
    request.lines.append(ReturnLine(order_line_id=line.id, product_id=product.id, quantity=Decimal(1),
                                    reason_code="damaged"))
    db.session.add(request)
    db.session.flush()
    return request


def make_return(company: Company) -> int:
    """An approved return (its slip can be printed) of a delivered order of the company."""
    return _return(company).id


def make_attachment(company: Company) -> int:
    request = _return(company)
    request.attachments.append(ReturnAttachment(stored_name=uploads.keep(b"Crushed box\n", "text"),
                                                filename="damage.txt", size=12))
    db.session.flush()
    return request.attachments[0].id
