"""Demo shipments with carrier tracking (shipped, in transit, delivered) and return requests."""
from __future__ import annotations

from decimal import Decimal

from portal.demo.world import DemoWorld
from portal.extensions import db
from portal.models import (
    CreditNote,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
    User,
)

WAREHOUSE = "Northwind warehouse, Tilburg"
CARRIERS = {
    "PostNL": "https://jouw.postnl.nl/track-and-trace/{number}",
    "DHL Parcel": "https://www.dhl.com/nl-en/home/tracking.html?tracking-id={number}",
    "DPD": "https://tracking.dpd.de/status/en_US/parcel/{number}",
}
HUBS = {"PostNL": "Nieuwegein sorting centre", "DHL Parcel": "Utrecht hub", "DPD": "Oirschot depot"}


def ship(world: DemoWorld, order: SalesOrder, shipped_offset: int, status: ShipmentStatus,
         lines: list[SalesOrderLine] | None = None) -> Shipment:
    """Ship the given order lines (default: all) on day `shipped_offset`, tracked up to `status`."""
    rng = world.rng
    carrier = rng.choice(sorted(CARRIERS))
    number = f"3S{rng.randint(10**9, 10**10 - 1)}" if carrier == "PostNL" else str(rng.randint(10**11, 10**12 - 1))
    city = order.shipping_address.city if order.shipping_address else order.company.name
    shipment = Shipment(company=order.company, order=order, status=status, carrier=carrier,
                        tracking_number=number, tracking_url=CARRIERS[carrier].format(number=number),
                        shipped_dt=world.at(shipped_offset, 16), created_dt=world.at(shipped_offset, 11))
    events = [(world.at(shipped_offset, 16), "shipped", WAREHOUSE, f"Picked up by {carrier}")]
    if status in (ShipmentStatus.in_transit, ShipmentStatus.delivered):
        events.append((world.at(shipped_offset + 1, 5, 40), "in_transit", HUBS[carrier], "Sorted, on its way"))
    if status == ShipmentStatus.delivered:
        delivered = world.at(shipped_offset + 1, 13, 25)
        shipment.delivered_dt = delivered
        signer = order.placed_by.name.split()[-1].upper() if order.placed_by else "RECEPTION"
        events.append((delivered, "delivered", city, f"Delivered, signed for by {signer}"))
    for occurred, event_status, location, description in events:
        shipment.events.append(ShipmentEvent(occurred_dt=occurred, status=event_status, location=location,
                                             description=description))
    for line in lines if lines is not None else order.lines:
        if line.product is not None:
            line.quantity_shipped = line.quantity
    db.session.add(shipment)
    return shipment


def request_return(world: DemoWorld, order: SalesOrder, lines: list[tuple[SalesOrderLine, Decimal, str, str]],
                   by: User, offset: int, note: str = "") -> ReturnRequest:
    """A return request made on day `offset`: lines are (order line, quantity, reason code, words)."""
    request = ReturnRequest(company=order.company, order=order, requested_by_id=by.id, status=ReturnStatus.requested,
                            reason=note, created_dt=world.at(offset, 10, 5))
    for line, quantity, code, text in lines:
        request.lines.append(ReturnLine(order_line_id=line.id, product=line.product, quantity=quantity,
                                        reason_code=code, reason=text))
    db.session.add(request)
    return request


def credited(world: DemoWorld, request: ReturnRequest, note: CreditNote, instructions: str, offset: int) -> None:
    """Staff approved the return on day `offset`, counted everything back and credited it with `note`."""
    request.status, request.staff_note, request.credit_note = ReturnStatus.credited, instructions, note
    request.decided_dt = request.received_dt = request.credited_dt = world.at(offset, 14, 30)
    for line in request.lines:
        line.quantity_received = line.quantity
