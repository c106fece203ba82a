"""Demo quotes in every state a customer meets: draft, sent, changes requested, accepted, expired."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from portal.demo.lines import delivery_line, product_lines
from portal.demo.world import DemoCustomer, DemoWorld
from portal.extensions import db
from portal.models import Quote, QuoteLine, QuoteMessage, QuoteSection, QuoteStatus
from portal.services.totals import recompute_totals

TERMS = ("Prices in EUR excluding VAT. Delivery within 3 working days from stock. "
         "Payment according to your account terms.")


@dataclass(frozen=True)
class QuotePlan:
    customer: str
    status: QuoteStatus
    title: str
    #: days ago it was sent (None: never sent)
    issued: int | None
    valid_days: int = 30
    sections: tuple[tuple[str, str], ...] = (("Fixings", "Fasteners"), ("Tools", "Tools"))


PLANS = [
    QuotePlan("C-1001", QuoteStatus.sent, "Racking fixings for the Westpoort warehouse", issued=3),
    QuotePlan("C-1001", QuoteStatus.accepted, "Spring maintenance pack", issued=26),
    QuotePlan("C-1001", QuoteStatus.changes_requested, "Safety equipment for the new crew", issued=6,
              sections=(("Protection", "Site & safety"), ("Consumables", "Site & safety"))),
    QuotePlan("C-1001", QuoteStatus.expired, "Workshop tool refresh", issued=45, valid_days=30),
    QuotePlan("C-1002", QuoteStatus.sent, "Shopfit Lijnbaan: fixings and sealants", issued=8,
              sections=(("Fixings", "Fasteners"), ("Finishing", "Site & safety"))),
    QuotePlan("C-1003", QuoteStatus.sent, "Kitchen workshop consumables", issued=2),
    QuotePlan("C-1004", QuoteStatus.accepted, "Ebbingekwartier phase 2 fixings", issued=18),
    QuotePlan("C-1007", QuoteStatus.draft, "Seasonal crew kit", issued=None,
              sections=(("Protection", "Site & safety"), ("Tools", "Tools"))),
    QuotePlan("C-1010", QuoteStatus.expired, "Store fit-out Leiden", issued=60, valid_days=21),
]

CONVERSATION = [
    (5, False, "Could you quote the FFP3 masks with a valve instead, and add 20 pairs of size 10 gloves?"),
    (5, True, "Certainly. Do you want the helmets in white or in yellow? I will send a revised quote today."),
    (4, False, "Yellow, please. And can the gloves be delivered separately, ahead of the rest?"),
]


def _products_in(world: DemoWorld, top_category: str, count: int):
    pool = [p for p in world.products if p.visibility == "all" and p.category.parent.name == top_category]
    return world.rng.sample(pool, count)


def _build(world: DemoWorld, plan: QuotePlan) -> Quote:
    customer: DemoCustomer = world.customer(plan.customer)
    staff = world.staff[0]
    created = -(plan.issued or 1) - 1
    quote = Quote(company=customer.company, contact=customer.buyer, status=plan.status, title=plan.title,
                  introduction=f"Dear {customer.buyer.name.split()[0]}, thank you for your enquiry. "
                               "Below is our proposal.",
                  terms=TERMS, created_by_id=staff.id, created_dt=world.at(created, 15), currency="EUR")
    if plan.issued is not None:
        quote.issued_dt = world.at(-plan.issued, 11)
        quote.valid_until = world.day(-plan.issued + plan.valid_days)
    lines: list[QuoteLine] = []
    for position, (title, top_category) in enumerate(plan.sections):
        section = QuoteSection(title=title, position=position)
        quote.sections.append(section)
        products = _products_in(world, top_category, world.rng.randint(2, 4))
        for line in product_lines(world, customer, QuoteLine, products):
            line.section = section
            lines.append(line)
    lines.append(delivery_line(world, customer, QuoteLine, 0))
    for position, line in enumerate(lines, start=1):
        line.position = position
    quote.lines.extend(lines)
    recompute_totals(quote)
    db.session.add(quote)
    return quote


def signature_hash(quote: Quote) -> str:
    """sha256 over what was accepted: number, lines, total and the typed name."""
    content = "|".join([quote.number or "", str(quote.total), quote.accepted_name or ""] +
                       [f"{ln.description}:{ln.quantity}:{ln.unit_price}" for ln in quote.lines])
    return hashlib.sha256(content.encode()).hexdigest()


def seed_quotes(world: DemoWorld) -> dict[str, Quote]:
    """Every planned quote; returns the accepted ones by customer code (they become orders)."""
    accepted: dict[str, Quote] = {}
    for plan in PLANS:
        quote = _build(world, plan)
        if plan.status == QuoteStatus.accepted:
            quote.accepted_name = world.customer(plan.customer).buyer.name
            quote.accepted_dt = world.at(-plan.issued + 3, 14, 20)
            accepted[plan.customer] = quote
        if plan.status == QuoteStatus.changes_requested:
            customer = world.customer(plan.customer)
            for days_ago, from_staff, body in CONVERSATION:
                author = world.staff[0] if from_staff else customer.buyer
                quote.messages.append(QuoteMessage(author_id=author.id, author_name=author.name,
                                                   from_staff=from_staff, body=body,
                                                   created_dt=world.at(-days_ago, 16 if from_staff else 9)))
    db.session.flush()
    for quote in accepted.values():
        quote.signature_hash = signature_hash(quote)
    return accepted
