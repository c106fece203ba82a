"""A customer asks to cancel an order it placed (seed 003: a submitted order cannot be edited).

Allowed while the order is not confirmed yet (pending approval or submitted); staff decide in the
back office, where the request shows on the order and in "Cancel requests".
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from portal.extensions import db
from portal.models import OrderStatus, SalesOrder
from portal.models.base import utcnow
from portal.services import audit, mailer, staff_notices
from portal.services.actor import Actor
from portal.services.errors import RuleError
from portal.web import status_label

#: not confirmed yet: the customer may still ask to cancel
CANCELLABLE = (OrderStatus.pending_approval, OrderStatus.submitted)
MAX_REASON = 1000


class CancelError(RuleError):
    default_field = "reason"


def may_ask(order: SalesOrder) -> bool:
    return order.status in CANCELLABLE and order.cancel_requested_dt is None


def request_cancel(order: SalesOrder, reason: str, *, by: Actor) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise CancelError(_("Say why you want to cancel, so we can act on it."))
    if len(reason) > MAX_REASON:
        raise CancelError(_("Keep the reason under %(limit)s characters.", limit=MAX_REASON))
    if order.status not in CANCELLABLE:
        raise CancelError(_("Order %(number)s is %(status)s already: contact us to change or cancel it.",
                            number=order.number, status=status_label(order.status).lower()))
    changed = db.session.execute(
        update(SalesOrder).where(SalesOrder.id == order.id, SalesOrder.cancel_requested_dt.is_(None),
                                 SalesOrder.status.in_(CANCELLABLE))
        .values(cancel_requested_dt=utcnow(), cancel_reason=reason)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise CancelError(_("Cancelling order %(number)s was asked already.", number=order.number))
    db.session.refresh(order)
    audit.record("order.cancel_requested", order, company_id=order.company_id, actor=by, reason=reason[:200])
    who = by.user.name if by.user is not None else "The customer"
    staff_notices.notify("order_cancel_requested", f"{who} asks to cancel order {order.number}: {reason[:300]}",
                         company=order.company, contact=by.user,
                         link=mailer.external_url("admin_sales_order.edit_view", id=order.id))
