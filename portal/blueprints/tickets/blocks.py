"""The tickets feature's dashboard block: the user's open tickets and how many wait on the customer."""
from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Company, Ticket, TicketStatus
from portal.permissions import can
from portal.services import tickets


@dataclass(frozen=True)
class OpenTickets:
    count: int
    waiting_on_you: int


def open_tickets(company: Company) -> OpenTickets:
    """Open tickets the signed-in user may see (tickets.visible), and those where staff wait for an answer."""
    query = tickets.visible(select(Ticket.status, func.count()).where(Ticket.company_id == company.id,
                                                                      Ticket.status.in_(tickets.ACTIVE)),
                            current_user, can("tickets.view_all")).group_by(Ticket.status)
    counts = dict(db.session.execute(query).all())
    return OpenTickets(sum(counts.values()), counts.get(TicketStatus.waiting_on_customer, 0))
