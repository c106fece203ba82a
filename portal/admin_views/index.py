"""The back-office home: what needs attention, with links to the filtered lists."""
from __future__ import annotations

from dataclasses import dataclass

from flask_admin import AdminIndexView, expose
from flask_admin.contrib.sqla.filters import EnumFilterInList
from sqlalchemy import func, select

from portal.admin_views.base import StaffAccess
from portal.admin_views.filters import OverdueFilter, filtered_url
from portal.extensions import db
from portal.models import (
    Invoice,
    OutboxEmail,
    OutboxStatus,
    Quote,
    QuoteStatus,
    ReturnRequest,
    ReturnStatus,
    SalesOrder,
    Ticket,
    TicketStatus,
)
from portal.services import orders, receivables

OPEN_TICKET = (TicketStatus.open, TicketStatus.waiting_on_customer)
QUEUED_EMAIL = (OutboxStatus.queued, OutboxStatus.sending)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    count: int
    url: str
    #: a non-zero count is a problem (overdue, failed), not just work to do
    alarming: bool = False


def _count(model, *where):
    return select(func.count()).select_from(model).where(*where).scalar_subquery()


#: key, label, model, status filter values (or a custom filter), alarming
FIGURES = (
    ("open_orders", "Open orders", SalesOrder, _count(SalesOrder, orders.open_clause()),
     orders.OPEN_ORDER, False),
    ("quote_requests", "Quote requests to price", Quote, _count(Quote, Quote.status == QuoteStatus.requested),
     (QuoteStatus.requested,), False),
    ("open_invoices", "Open invoices", Invoice, _count(Invoice, receivables.open_clause()),
     receivables.OPEN_INVOICE, False),
    ("overdue_invoices", "Overdue invoices", Invoice, None, "overdue", True),
    ("open_tickets", "Open tickets", Ticket, _count(Ticket, Ticket.status.in_(OPEN_TICKET)), OPEN_TICKET, False),
    ("return_requests", "Return requests", ReturnRequest,
     _count(ReturnRequest, ReturnRequest.status == ReturnStatus.requested), (ReturnStatus.requested,), False),
    ("queued_emails", "Emails waiting to be sent", OutboxEmail,
     _count(OutboxEmail, OutboxEmail.status.in_(QUEUED_EMAIL)), QUEUED_EMAIL, False),
    ("failed_emails", "Emails that failed", OutboxEmail,
     _count(OutboxEmail, OutboxEmail.status == OutboxStatus.failed), (OutboxStatus.failed,), True),
    # Without a mail server (MAIL_SERVER) nothing is sent: staff read these or resend them later.
    ("held_emails", "Emails held: no mail server", OutboxEmail,
     _count(OutboxEmail, OutboxEmail.status == OutboxStatus.held), (OutboxStatus.held,), False),
)


def counts() -> dict[str, int]:
    """Every figure of the home page in one query."""
    overdue = _count(Invoice, receivables.overdue_clause())
    columns = [(overdue if query is None else query).label(key) for key, _, _, query, _, _ in FIGURES]
    row = db.session.execute(select(*columns)).one()
    return dict(row._mapping)


def figures(admin) -> list[Figure]:
    views = {getattr(v, "model", None): v for v in admin._views}
    numbers = counts()
    result = []
    for key, label, model, _, values, alarming in FIGURES:
        view = views[model]
        if values == "overdue":
            url = filtered_url(view, "due_date", OverdueFilter, "yes")
        else:
            url = filtered_url(view, "status", EnumFilterInList, list(values))
        result.append(Figure(key, label, numbers[key], url, alarming))
    return result


class StaffIndexView(StaffAccess, AdminIndexView):
    @expose("/")
    def index(self):
        return self.render("admin/index.html", figures=figures(self.admin))
