"""Demo support tickets with a conversation (and a staff-only note)."""
from __future__ import annotations

from sqlalchemy import select

from portal.demo.world import DemoWorld
from portal.extensions import db
from portal.models import SalesOrder, Ticket, TicketMessage, TicketStatus


def _message(world: DemoWorld, ticket: Ticket, author, body: str, days_ago: int, hour: int,
             from_staff: bool = False, internal: bool = False) -> None:
    ticket.messages.append(TicketMessage(author_id=author.id, from_staff=from_staff, is_internal=internal,
                                         body=body, created_dt=world.at(-days_ago, hour, 15)))


def seed_tickets(world: DemoWorld) -> None:
    staff, finance = world.staff[0], world.staff[-1]

    acme = world.customer("C-1001")
    accounts = next(u for u in acme.contacts if u.name == "Eva Bakker")
    ticket = Ticket(company=acme.company, opened_by=accounts, assigned_to_id=finance.id,
                    subject="Can we receive one statement per month?", status=TicketStatus.waiting_on_customer,
                    created_dt=world.at(-6, 9, 30))
    _message(world, ticket, accounts, "We receive an invoice with every delivery. Could you send us one monthly "
             "statement instead, so we can pay everything in one run?", 6, 9)
    _message(world, ticket, finance, "Check with Olivia: monthly statements fit their 30-day terms.", 6, 11,
             from_staff=True, internal=True)
    _message(world, ticket, finance, "We can do that from next month. Which address should the statement go to: "
             "yours, or a shared accounts mailbox?", 5, 10, from_staff=True)
    db.session.add(ticket)

    greenway = world.customer("C-1007")
    order = db.session.execute(select(SalesOrder).where(SalesOrder.company_id == greenway.company.id)
                               .order_by(SalesOrder.placed_dt.desc())).scalars().first()
    ticket = Ticket(company=greenway.company, opened_by=greenway.buyer, assigned_to_id=staff.id,
                    subject="One item missing from our delivery", status=TicketStatus.open,
                    regarding=f"sales_order:{order.id}" if order else None, created_dt=world.at(-1, 8, 5))
    _message(world, ticket, greenway.buyer, "The delivery came in this morning but one line is missing. "
             "The packing slip lists it as shipped.", 1, 8)
    _message(world, ticket, staff, "Sorry about that. We are checking with the warehouse and will come back "
             "to you before noon tomorrow.", 1, 14, from_staff=True)
    db.session.add(ticket)

    kestrel = world.customer("C-1011")
    ticket = Ticket(company=kestrel.company, opened_by=kestrel.buyer, assigned_to_id=staff.id,
                    subject="Portal access for a new colleague", status=TicketStatus.resolved,
                    created_dt=world.at(-15, 13))
    _message(world, ticket, kestrel.buyer, "Thijs starts in accounts next week. Can he get access to our "
             "invoices?", 15, 13)
    _message(world, ticket, staff, "Done: Thijs can sign in with the Finance role now.", 14, 9, from_staff=True)
    db.session.add(ticket)
