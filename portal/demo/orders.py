"""Demo sales orders in every state, with the shipments, invoices and return that follow from them."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from portal.demo import finance, fulfilment
from portal.demo.lines import FREE_DELIVERY_FROM, copy_lines, delivery_line, product_lines
from portal.demo.world import DemoCustomer, DemoWorld
from portal.extensions import db
from portal.models import (
    AddressKind,
    ChargeKind,
    InvitationState,
    Invoice,
    OrderCharge,
    OrderStatus,
    Quote,
    SalesOrder,
    SalesOrderLine,
    ShipmentStatus,
    User,
)
from portal.services import order_charges
from portal.services.totals import recompute_totals


@dataclass(frozen=True)
class OrderPlan:
    age: int
    status: OrderStatus
    #: paid / partially_paid / open; None lets the dates decide
    invoice: str | None = None
    from_quote: bool = False
    by_rep: bool = False
    note: str | None = None
    #: the customer asked to cancel it (a day after placing it)
    cancel_reason: str | None = None


#: the first customer gets one of everything, so the demo login shows every state
ACME_PLAN = [
    OrderPlan(84, OrderStatus.delivered, "paid"),
    OrderPlan(70, OrderStatus.delivered, "paid"),
    OrderPlan(52, OrderStatus.delivered, "open"),  # overdue by now
    OrderPlan(30, OrderStatus.cancelled, note="Cancelled at the customer's request: placed twice."),
    OrderPlan(22, OrderStatus.delivered, "partially_paid", from_quote=True),
    OrderPlan(4, OrderStatus.shipped, "open"),
    OrderPlan(5, OrderStatus.partially_shipped),
    OrderPlan(3, OrderStatus.confirmed),
    OrderPlan(2, OrderStatus.submitted, cancel_reason="We ordered the wrong size; please cancel, a new order follows."),
    OrderPlan(1, OrderStatus.submitted, by_rep=True),
    OrderPlan(0, OrderStatus.pending_approval, note="Needs approval: over the buyer's order limit."),
]


def _random_plan(world: DemoWorld, has_quote: bool) -> list[OrderPlan]:
    """Two to four orders over the last three months; an accepted quote became a delivered order."""
    rng = world.rng
    plans = [OrderPlan(14, OrderStatus.delivered, from_quote=True)] if has_quote else []
    count = rng.randint(2, 4)
    while len(plans) < count:
        age = rng.randint(2, 88)
        if age > 12:
            status = OrderStatus.cancelled if rng.random() < 0.08 else OrderStatus.delivered
        elif age > 5:
            status = rng.choice([OrderStatus.shipped, OrderStatus.delivered])
        else:
            status = rng.choice([OrderStatus.submitted, OrderStatus.confirmed, OrderStatus.partially_shipped])
        plans.append(OrderPlan(age, status))
    return plans


def seed_orders(world: DemoWorld, accepted_quotes: dict[str, Quote]) -> None:
    for customer in world.customers:
        code = customer.company.code
        plans = ACME_PLAN if code == "C-1001" else _random_plan(world, code in accepted_quotes)
        for plan in plans:
            quote = accepted_quotes.get(code) if plan.from_quote else None
            _place(world, customer, plan, quote)
    db.session.flush()
    _extra_charges(world)


def _extra_charges(world: DemoWorld) -> None:
    """ACME sees extra charges on the portal: its latest open order carries a freight charge to approve."""
    acme = next(c for c in world.customers if c.company.code == "C-1001")
    acme.company.show_charges_on_portal = True
    order = db.session.execute(
        select(SalesOrder).where(SalesOrder.company_id == acme.company.id,
                                 SalesOrder.status.in_((OrderStatus.confirmed, OrderStatus.submitted)))
        .order_by(SalesOrder.id.desc()).limit(1)).scalar_one_or_none()
    if order is None:
        return
    charge = OrderCharge(order=order, kind=ChargeKind.freight, description="Tail-lift delivery to the site",
                         amount=Decimal("45.00"), tax_rate=Decimal("21.00"))
    order_charges.prepare(charge, stored_status=None, staff=None)
    db.session.add(charge)


def _place(world: DemoWorld, customer: DemoCustomer, plan: OrderPlan, quote: Quote | None) -> SalesOrder:
    rng = world.rng
    company = customer.company
    placed_by = _placer(world, customer, plan)
    shipping = customer.address(AddressKind.shipping)
    if len(company.addresses) > 2 and rng.random() < 0.5:
        shipping = company.addresses[-1]
    order = SalesOrder(
        company=company, placed_by=placed_by, acting_rep=world.rep if plan.by_rep else None,
        quote_id=quote.id if quote else None, status=plan.status, currency="EUR",
        customer_reference=f"PO-{rng.randint(1000, 9999)}" if rng.random() < 0.7 else None,
        shipping_address=shipping, billing_address_id=customer.address(AddressKind.billing).id,
        placed_dt=world.at(-plan.age, rng.randint(8, 17), rng.randint(0, 59)), notes=plan.note,
        requested_delivery_date=world.day(-plan.age + 3),
    )
    if plan.cancel_reason:
        order.cancel_requested_dt, order.cancel_reason = world.at(-plan.age + 1, 9, 12), plan.cancel_reason
    if quote is not None:
        order.lines.extend(copy_lines(quote.lines, SalesOrderLine))
    else:
        order.lines.extend(product_lines(world, customer, SalesOrderLine,
                                         world.pick_products(rng.randint(2, 6))))
        recompute_totals(order)
        if order.subtotal < FREE_DELIVERY_FROM:
            order.lines.append(delivery_line(world, customer, SalesOrderLine, len(order.lines) + 1))
    recompute_totals(order)
    db.session.add(order)
    _follow_up(world, customer, order, plan)
    return order


def _placer(world: DemoWorld, customer: DemoCustomer, plan: OrderPlan) -> User | None:
    """Who placed the order in the portal: the rep, or a contact who accepted the invitation (the one
    awaiting approval by a colleague of the usual buyer). Companies without portal access order by
    phone or email: staff enter those orders, nobody placed them in the portal."""
    if plan.by_rep:
        return world.rep
    if not customer.company.portal_access:
        return None
    users = [u for u in customer.contacts if u.portal_access and u.invitation_state == InvitationState.accepted]
    if plan.status == OrderStatus.pending_approval:
        return next((u for u in users if u is not customer.buyer), customer.buyer)
    return customer.buyer


def _follow_up(world: DemoWorld, customer: DemoCustomer, order: SalesOrder, plan: OrderPlan) -> None:
    """Ship and invoice what the order's status says has happened."""
    shipped_offset = min(-plan.age + 1, 0)
    if plan.status == OrderStatus.delivered:
        fulfilment.ship(world, order, shipped_offset, ShipmentStatus.delivered)
    elif plan.status == OrderStatus.shipped:
        fulfilment.ship(world, order, min(shipped_offset, -1), ShipmentStatus.in_transit)
    elif plan.status == OrderStatus.partially_shipped:
        products = [line for line in order.lines if line.product is not None]
        fulfilment.ship(world, order, 0, ShipmentStatus.shipped, lines=products[: max(1, len(products) // 2)])
    if plan.status in (OrderStatus.delivered, OrderStatus.shipped):
        invoice = finance.invoice_order(world, order, min(shipped_offset, -1), plan.invoice)
        if plan.from_quote and customer.company.code == "C-1001":
            _damaged_return(world, customer, order, invoice, days_ago=plan.age - 4)


def _damaged_return(world: DemoWorld, customer: DemoCustomer, order: SalesOrder, invoice: Invoice,
                    days_ago: int) -> None:
    """Two units arrived damaged: the return is approved and credited without sending goods back. A day ago
    the buyer asked to return another item, which waits for staff."""
    db.session.flush()  # the return line points at the order line's id
    products = [line for line in order.lines if line.product is not None]
    line = products[0]
    quantity = min(line.quantity, Decimal(2))
    damaged = fulfilment.request_return(world, order, [(line, quantity, "damaged", "Two boxes arrived crushed")],
                                        customer.buyer, offset=-days_ago,
                                        note="The contents had spilled; photos on request.")
    invoice_line = next(il for il in invoice.lines if il.product is line.product)
    note = finance.credit_note(world, invoice, [(invoice_line, quantity)], offset=-days_ago + 1,
                               reason="Goods damaged in transit (approved return request)")
    fulfilment.credited(world, damaged, note, "No need to send the goods back: we credit them.", -days_ago + 1)
    spare = products[-1] if len(products) > 1 else line
    left = spare.quantity - (quantity if spare is line else Decimal(0))
    if left >= 1:
        fulfilment.request_return(world, order, [(spare, Decimal(1), "not_needed", "")], customer.buyer, offset=-1,
                                  note="One too many: the project was smaller than planned.")
