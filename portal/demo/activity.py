"""The demo's portal activity: a sign-in before each order and ticket its customers made in the portal, and
the order or ticket itself, recorded through portal.services.portal_events at the moment it happened, so
*Customers → Customer activity* shows engaged and dormant customers from the start."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import SalesOrder, Ticket
from portal.services import clock, portal_events, sign_in
from portal.services.actor import Actor


def seed_activity() -> None:
    """Events for the demo's portal orders and tickets, oldest first (flushes; the caller commits)."""
    db.session.flush()
    happened = []
    for order in db.session.execute(select(SalesOrder).where(SalesOrder.placed_by_id.is_not(None))).scalars():
        happened.append((order.placed_dt, "order_placed", order.company_id, order.placed_by, order.acting_rep_id,
                         "sales_order", order.id, {"number": order.number, "total": str(order.total),
                                                   "currency": order.currency}))
    for ticket in db.session.execute(select(Ticket).where(Ticket.opened_by_id.is_not(None))).scalars():
        happened.append((ticket.created_dt, "ticket_opened", ticket.company_id, ticket.opened_by, None, "ticket",
                         ticket.id, {"number": ticket.number}))
    for at, kind, company_id, user, rep_id, subject_type, subject_id, data in sorted(happened, key=_when):
        by = Actor(user=user, company_id=company_id, acting_rep_id=rep_id)
        if rep_id is None:
            with clock.frozen(_when((at,)) - timedelta(minutes=7)):
                sign_in.record_sign_in(user, Actor(), sign_in.PASSWORD)
        with clock.frozen(_when((at,))):
            portal_events.record(kind, company_id=company_id, by=by, subject_type=subject_type,
                                 subject_id=subject_id, data=data)


def _when(happening: tuple) -> datetime:
    """When it happened, in UTC (SQLite gives back the stored moments without their zone)."""
    at = happening[0]
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
