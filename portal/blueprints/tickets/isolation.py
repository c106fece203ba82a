"""Objects the ticket pages take, made for one company (the tenant-isolation matrix uses these).

The tickets are shared (every colleague with tickets.open sees them) and have no opener among the
matrix's principals, so each role's own access is what the matrix checks.
"""
from __future__ import annotations

from portal.extensions import db
from portal.models import Company, Ticket, TicketAttachment, TicketMessage
from portal.services import uploads


def _ticket(company: Company) -> Ticket:
    ticket = Ticket(company_id=company.id, subject="Pallet arrived damaged", category="order", shared=True)
    ticket.messages.append(TicketMessage(body="Two boxes were crushed.", from_staff=False))
    db.session.add(ticket)
    db.session.flush()
    return ticket


def make_ticket(company: Company) -> int:
    return _ticket(company).id


def make_attachment(company: Company) -> int:
    """An attachment on a new ticket of the company (the download URL names only the attachment)."""
    ticket = _ticket(company)
    message = ticket.messages[0]
    stored = uploads.keep(b"Delivery note\n", "text")
    message.attachments.append(TicketAttachment(ticket_id=ticket.id, stored_name=stored,
                                                filename="delivery-note.txt", size=14))
    db.session.flush()
    return message.attachments[0].id
