"""Support tickets: who sees which ticket, opening, replying, closing, staff answers and notes.

Rules (issue 11 item 2):
- every role with ``tickets.open`` opens tickets and sees its own plus the company's *shared* ones
  (a ticket is shared unless its opener unticked it); ``tickets.view_all`` (Admin, and acting reps)
  sees every ticket of the company.
- a customer's reply to a resolved or closed ticket reopens it (the customer still has a problem;
  staff see it in their open list again); a reply while staff wait on the customer also sets it open.
- staff replies are emailed to the ticket's followers: its opener and every customer who wrote on it.
  Internal notes are never emailed and never shown in the portal.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import Select, or_
from werkzeug.datastructures import FileStorage

from portal.extensions import db
from portal.i18n import N_
from portal.models import (
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketPriority,
    TicketStatus,
    User,
)
from portal.money import number
from portal.services import audit, mailer, portal_events, portal_notices, staff_notices, uploads
from portal.services.actor import Actor
from portal.services.uploads import CheckedFile

#: what a ticket is about, as offered on /tickets/new
CATEGORIES = (("order", N_("An order or delivery")), ("invoice", N_("An invoice or payment")),
              ("product", N_("A product question")), ("account", N_("My account or the portal")),
              ("other", N_("Something else")))
#: open = staff's turn; the statuses a customer can still reply to without reopening
ACTIVE = (TicketStatus.open, TicketStatus.waiting_on_customer)
MAX_FILES = 5
SUBJECT_LIMIT = 200
BODY_LIMIT = 10_000


class TicketError(ValueError):
    """A request about a ticket that cannot be done; the message says why, for the user."""



def visible(query: Select, user: User, sees_all: bool) -> Select:
    """Narrow a select of the acting company's tickets to those `user` may see."""
    if sees_all:
        return query
    return query.where(or_(Ticket.opened_by_id == user.id, Ticket.shared.is_(True)))


def check_files(files: Iterable[FileStorage]) -> list[CheckedFile]:
    """The chosen files checked by content (nothing stored yet); TicketError names the file refused."""
    try:
        return uploads.check_attachments(files, MAX_FILES, _("Attach at most %(count)s files to one message.",
                                                             count=MAX_FILES))
    except uploads.UploadError as exc:
        raise TicketError(str(exc)) from exc


def _clean_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise TicketError(_("Write a message."))
    if len(body) > BODY_LIMIT:
        raise TicketError(_("The message is too long: at most %(limit)s characters.", limit=number(BODY_LIMIT)))
    return body


def _add_message(ticket: Ticket, body: str, by: User | None, *, from_staff: bool, internal: bool = False,
                 files: Iterable[CheckedFile] = ()) -> TicketMessage:
    message = TicketMessage(author_id=by.id if by else None, from_staff=from_staff, is_internal=internal, body=body)
    ticket.messages.append(message)
    db.session.flush()
    for file in files:
        message.attachments.append(TicketAttachment(ticket_id=ticket.id, stored_name=uploads.keep(file.data, file.fmt),
                                                    filename=file.filename, size=len(file.data)))
    return message


def _event(kind: str, ticket: Ticket, by: Actor) -> None:
    portal_events.record(kind, company_id=ticket.company_id, by=by, subject_type="ticket", subject_id=ticket.id,
                         data={"number": ticket.number})


def _staff_link(ticket: Ticket) -> str:
    return mailer.external_url("admin_ticket.thread", id=ticket.id)


def _assignee(ticket: Ticket) -> list[User]:
    user = db.session.get(User, ticket.assigned_to_id) if ticket.assigned_to_id else None
    return [user] if user is not None else []


def open_ticket(company, *, subject: str, category: str, priority: str, body: str, by: Actor,
                regarding: str | None = None, shared: bool = True, files: Iterable[CheckedFile] = ()) -> Ticket:
    """A customer's new ticket with its first message and files; staff hear (event ticket_opened)."""
    subject = (subject or "").strip()
    if not subject:
        raise TicketError(_("Give the ticket a subject."))
    if len(subject) > SUBJECT_LIMIT:
        raise TicketError(_("The subject is too long: at most %(limit)s characters.", limit=SUBJECT_LIMIT))
    if category not in dict(CATEGORIES):
        raise TicketError(_("Choose what the ticket is about."))
    if priority not in TicketPriority.__members__:
        raise TicketError(_("Choose a priority: low, normal or high."))
    body = _clean_body(body)
    ticket = Ticket(company_id=company.id, opened_by_id=by.user_id, subject=subject, category=category,
                    priority=TicketPriority(priority), regarding=regarding or None, shared=shared,
                    status=TicketStatus.open)
    db.session.add(ticket)
    db.session.flush()
    _add_message(ticket, body, by.user, from_staff=False, files=files)
    audit.record("ticket.opened", ticket, actor=by, number=ticket.number, subject=subject)
    _event("ticket_opened", ticket, by)
    staff_notices.notify("ticket_opened", f"{ticket.number}: {subject}", company=company, contact=by.user,
                         link=_staff_link(ticket))
    return ticket


def customer_reply(ticket: Ticket, body: str, *, by: Actor, files: Iterable[CheckedFile] = ()) -> TicketMessage:
    """The customer's reply; reopens a resolved or closed ticket; staff (and the assignee) hear."""
    body = _clean_body(body)
    message = _add_message(ticket, body, by.user, from_staff=False, files=files)
    reopened = ticket.status not in ACTIVE
    ticket.status = TicketStatus.open
    audit.record("ticket.replied", ticket, actor=by, number=ticket.number, reopened=reopened)
    _event("ticket_replied", ticket, by)
    staff_notices.notify("ticket_customer_reply", f"{ticket.number}: {ticket.subject}", company=ticket.company,
                         contact=by.user, link=_staff_link(ticket), also=_assignee(ticket))
    return message


def close(ticket: Ticket, *, by: Actor) -> None:
    """The customer closes the ticket (nothing more to do)."""
    if ticket.status == TicketStatus.closed:
        raise TicketError(_("This ticket is closed already."))
    ticket.status = TicketStatus.closed
    audit.record("ticket.closed", ticket, actor=by, number=ticket.number)
    _event("ticket_closed", ticket, by)


def followers(ticket: Ticket) -> list[User]:
    """Who hears about staff replies: the opener and every customer who wrote on the ticket, active, once each."""
    found: dict[int, User] = {}
    candidates = [db.session.get(User, ticket.opened_by_id)] if ticket.opened_by_id else []
    candidates += [m.author for m in ticket.messages if not m.from_staff and m.author is not None]
    for user in candidates:
        if user is not None and user.is_active and not user.is_staff:
            found.setdefault(user.id, user)
    return list(found.values())


def staff_reply(ticket: Ticket, body: str, *, staff: User, status: TicketStatus | None = None,
                files: Iterable[CheckedFile] = ()) -> TicketMessage:
    """A public staff answer: in the thread, emailed to the followers; the ticket now waits on the customer
    unless `status` says otherwise."""
    body = _clean_body(body)
    message = _add_message(ticket, body, staff, from_staff=True, files=files)
    ticket.status = status or TicketStatus.waiting_on_customer
    link = mailer.company_url("tickets.detail", ticket.company_id, ticket_id=ticket.id)
    db.session.flush()
    people = followers(ticket)
    portal_notices.notify_company(
        "ticket_reply", f"ticket_reply:{message.id}", ticket.company, permission="tickets.open",
        title=f"{ticket.number}: {ticket.subject}", body=f"{staff.name}: {body}",
        page=portal_notices.path("tickets.detail", ticket_id=ticket.id), people=people)
    for user in people:
        mailer.send("ticket_reply", user, ticket_number=ticket.number, ticket_subject=ticket.subject,
                    message=body, sender_name=staff.name, link=link)
    return message


def internal_note(ticket: Ticket, body: str, *, staff: User) -> TicketMessage:
    """A staff-only note: never emailed, never shown in the portal."""
    return _add_message(ticket, _clean_body(body), staff, from_staff=True, internal=True)


def public_messages(ticket: Ticket) -> list[TicketMessage]:
    """The thread a customer reads: every message but internal notes, oldest first."""
    return [m for m in ticket.messages if not m.is_internal]

