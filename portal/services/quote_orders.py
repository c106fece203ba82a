"""An accepted quote becomes work: a sales order of the accepted lines and a draft delivery note.

The order holds the quote's lines that were not optional plus the optional ones the client ticked,
priced exactly as quoted (line totals copied, document totals summed as on the quote). Stock is
reserved per catalog line with the conditional update checkout uses; a line that cannot be
reserved in full is reserved not at all and named in the result (the client signed the quote, so
the acceptance stands: staff see the shortage in their notice and on the order's notes). The
delivery note is a Shipment in "preparing" for staff to complete. Callers commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from portal.extensions import db
from portal.models import (
    AddressKind,
    OrderStatus,
    Quote,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentStatus,
)
from portal.services import addresses, stock_reservation, totals
from portal.services.actor import Actor
from portal.services.numbering import next_number


@dataclass
class Fulfilment:
    order: SalesOrder
    shipment: Shipment
    #: descriptions of the lines whose stock could not be reserved
    not_reserved: list[str] = field(default_factory=list)


def accepted_lines(quote: Quote, chosen: frozenset[int]) -> list:
    """The quote's lines that are part of the accepted quote, in page order."""
    return [line for line in sorted(quote.lines, key=lambda ln: (ln.position, ln.id))
            if not line.optional or line.id in chosen]


def order_from_quote(quote: Quote, chosen: frozenset[int], *, by: Actor, note: str = "") -> Fulfilment:
    """Create the order and the draft delivery note of an accepted quote and reserve its stock."""
    shipping = addresses.default_address(quote.company_id, AddressKind.shipping)
    billing = addresses.default_address(quote.company_id, AddressKind.billing) or shipping
    order = SalesOrder(number=next_number("sales_order"), company_id=quote.company_id, currency=quote.currency,
                       placed_by_id=by.user_id, acting_rep_id=by.acting_rep_id, quote_id=quote.id,
                       status=OrderStatus.submitted, customer_reference=quote.number,
                       shipping_address_id=shipping.id if shipping else None,
                       billing_address_id=billing.id if billing else None)
    lines = accepted_lines(quote, chosen)
    for position, line in enumerate(lines):
        order.lines.append(SalesOrderLine(position=position, product_id=line.product_id, description=line.description,
                                          quantity=line.quantity, unit_price=line.unit_price,
                                          discount_percent=line.discount_percent, tax_rate=line.tax_rate,
                                          line_total=line.line_total))
    sums = totals.sums(lines)
    order.subtotal, order.tax_total, order.total = sums.subtotal, sums.tax_total, sums.total
    not_reserved = [line.description for line in lines
                    if line.product_id is not None and line.product is not None and line.product.stock is not None
                    and not stock_reservation.reserve(line.product_id, line.quantity)]
    order.notes = " ".join(filter(None, [note, ("Not reserved, short of stock: " + "; ".join(not_reserved) + ".")
                                         if not_reserved else ""])) or None
    db.session.add(order)
    db.session.flush()
    shipment = Shipment(number=next_number("shipment"), company_id=quote.company_id, order_id=order.id,
                        status=ShipmentStatus.preparing)
    db.session.add(shipment)
    return Fulfilment(order, shipment, not_reserved)
