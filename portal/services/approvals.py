"""Order approvals (seed 001): which orders wait, who decides, and what a decision does.

A customer's Admin sets the rules on the company: orders above an amount, and/or every order a
Buyer places, wait in "Pending approval" until someone of the company with shop.approve decides
(a sales rep never decides for the customer). Staff decide the orders that wait because they
would exceed the company's credit (shop setting "credit_check" = "approval"). The buyer is emailed
either way; decisions are kept as the order's approval history.
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import (
    ApprovalDecision,
    Company,
    InvitationState,
    Membership,
    OrderApproval,
    OrderStatus,
    SalesOrder,
    StockLevel,
    User,
)
from portal.services import audit, mailer, portal_notices
from portal.services.actor import Actor
from portal.services.errors import RuleError

#: SalesOrder.approval_reason: waits for the customer's approvers, for staff (credit), or both in turn
CUSTOMER, CREDIT, CUSTOMER_THEN_CREDIT = "customer", "credit", "customer_credit"
MAX_COMMENT = 2000


class ApprovalError(RuleError):
    """The decision or the rules were refused; the message is shown."""


def rules_apply(company: Company, total: Decimal, *, placed_by_buyer: bool, placer_may_approve: bool) -> bool:
    """Whether an order of this total waits for the company's approvers. Someone who may approve
    orders does not wait for their own."""
    if placer_may_approve:
        return False
    if company.approval_for_buyers and placed_by_buyer:
        return True
    return company.approval_above is not None and total > company.approval_above


def reason_for(customer: bool, credit: bool) -> str | None:
    if customer and credit:
        return CUSTOMER_THEN_CREDIT
    return CUSTOMER if customer else CREDIT if credit else None


def waits_for_customer():
    """Orders the company's approvers decide (orders entered before the reasons were kept count too)."""
    return (SalesOrder.status == OrderStatus.pending_approval) & or_(
        SalesOrder.approval_reason.is_(None), SalesOrder.approval_reason != CREDIT)


def queue(company: Company) -> list[SalesOrder]:
    """The company's orders waiting for its approvers, oldest first."""
    return list(db.session.execute(
        select(SalesOrder).where(SalesOrder.company_id == company.id, waits_for_customer())
        .options(joinedload(SalesOrder.placed_by), joinedload(SalesOrder.acting_rep))
        .order_by(SalesOrder.placed_dt, SalesOrder.id)).scalars())


def waiting_count(company: Company) -> int:
    """How many of the company's orders wait for its approvers (the dashboard figure)."""
    return db.session.execute(select(func.count(SalesOrder.id)).where(
        SalesOrder.company_id == company.id, waits_for_customer())).scalar_one()


def may_approve(user: User | None, company: Company) -> bool:
    """A contact of the company whose role has shop.approve (reps and staff never decide for a customer)."""
    if user is None or not user.is_contact:
        return False
    membership = db.session.execute(
        select(Membership).options(joinedload(Membership.role))
        .where(Membership.user_id == user.id, Membership.company_id == company.id,
               Membership.is_active.is_(True))).scalar_one_or_none()
    if membership is None:
        return False
    role = membership.role
    return bool(role.all_permissions or "shop.approve" in (role.permissions or []))


def approvers(company: Company) -> list[User]:
    """The company's contacts who may approve its orders and can use the portal now."""
    if not company.portal_access:
        return []
    memberships = db.session.execute(
        select(Membership).join(Membership.user).options(joinedload(Membership.role), joinedload(Membership.user))
        .where(Membership.company_id == company.id, Membership.is_active.is_(True), User.portal_access.is_(True),
               User.is_active_flag.is_(True), User.invitation_state != InvitationState.revoked)).scalars()
    return [m.user for m in memberships
            if m.user.is_contact and (m.role.all_permissions or "shop.approve" in (m.role.permissions or []))]


def ask_approvers(order: SalesOrder, company: Company) -> None:
    """Tell the company's approvers (not the one who placed it) that an order waits for them."""
    placed_by = order.placed_by
    for approver in approvers(company):
        if approver.id == order.placed_by_id:
            continue
        mailer.send("order_approval_requested", approver, order_number=order.number, company_name=company.name,
                    placed_by_name=placed_by.name if placed_by is not None else "", total=order.total,
                    currency=order.currency, link=mailer.company_url("shop.approvals", order.company_id))


def decide(order: SalesOrder, decision: ApprovalDecision, comment: str, *, by: Actor,
           as_staff: bool = False) -> OrderApproval:
    """Approve or reject a waiting order. Refused when it no longer waits (decided meanwhile) or when it
    waits for the other side (customer approvers vs staff)."""
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ApprovalError(_("Keep the comment under %(limit)s characters.", limit=MAX_COMMENT), field="comment")
    if decision == ApprovalDecision.rejected and not comment:
        raise ApprovalError(_("Say why the order is rejected: the buyer reads it."), field="comment")
    if (order.approval_reason == CREDIT) != as_staff or order.status != OrderStatus.pending_approval:
        raise ApprovalError(_("This order does not wait for your approval."))
    waiting_for = None
    if decision == ApprovalDecision.approved:
        if order.approval_reason == CUSTOMER_THEN_CREDIT:
            new_status, waiting_for = OrderStatus.pending_approval, CREDIT
        else:
            new_status = OrderStatus.submitted
    else:
        new_status = OrderStatus.rejected
    same_reason = (SalesOrder.approval_reason.is_(None) if order.approval_reason is None
                   else SalesOrder.approval_reason == order.approval_reason)
    values = {"status": new_status, "approval_reason": waiting_for}
    if decision == ApprovalDecision.approved:
        values["approved_by_id"] = by.user_id
    # Conditional: of two approvers deciding at the same moment, one wins; the other is told.
    changed = db.session.execute(
        update(SalesOrder).where(SalesOrder.id == order.id, SalesOrder.status == OrderStatus.pending_approval,
                                 same_reason)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise ApprovalError(_("Someone decided on this order a moment ago. Reload to see the decision."))
    db.session.refresh(order)
    if new_status == OrderStatus.rejected:
        release_stock(order)
    approval = OrderApproval(order_id=order.id, decided_by_id=by.user_id, decision=decision, comment=comment)
    db.session.add(approval)
    db.session.flush()
    audit.record(f"order.{decision.value}", order, company_id=order.company_id, actor=by, comment=comment[:200],
                 waiting_for=waiting_for or "")
    _tell_buyer(order, approval, by)
    return approval


#: statuses in which an order ships nothing more: what it still held is given back
ENDED = frozenset({OrderStatus.cancelled, OrderStatus.rejected})


def staff_set_status(order: SalesOrder, before: OrderStatus | None) -> None:
    """Staff changed an order's status in the back office: ending an order placed in the shop (it
    reserved its stock at checkout) gives back what it still held; orders staff entered reserved nothing."""
    if order.checkout_key and before not in ENDED and order.status in ENDED:
        release_stock(order)


def release_stock(order: SalesOrder) -> None:
    """Give back what the order reserved (a rejected order ships nothing)."""
    for line in order.lines:
        if line.product_id is None:
            continue
        db.session.execute(update(StockLevel).where(StockLevel.product_id == line.product_id)
                           .values(reserved=StockLevel.reserved - (line.quantity - line.quantity_shipped))
                           .execution_options(synchronize_session=False))


def _tell_buyer(order: SalesOrder, approval: OrderApproval, by: Actor) -> None:
    """The buyer (and the company's reps) are told in the portal; the buyer is emailed too."""
    buyer = order.placed_by
    portal_notices.notify_company(
        f"order_{approval.decision.value}", f"order_{approval.decision.value}:{approval.id}", order.company,
        permission="orders.view", title=order.number or "", body=approval.comment or "",
        page=portal_notices.path("orders.detail", order_id=order.id), people=[buyer] if buyer else [], reps=True)
    if buyer is None:
        return
    mailer.send("order_approval_decided", buyer, order_number=order.number, company_name=order.company.name,
                decision=approval.decision.value, comment=approval.comment,
                decided_by_name=by.user.name if by.user is not None else "",
                still_waiting=order.status == OrderStatus.pending_approval,
                total=order.total, currency=order.currency,
                link=mailer.company_url("orders.detail", order.company_id, order_id=order.id))


def history(order: SalesOrder) -> list[OrderApproval]:
    return sorted(order.approvals, key=lambda a: (a.decided_dt, a.id))


def set_rules(company: Company, approval_above: Decimal | None, for_buyers: bool, *, by: Actor) -> None:
    """The customer Admin's approval rules for the company."""
    if approval_above is not None and approval_above < 0:
        raise ApprovalError(_("Enter an amount of zero or more, or leave it empty."), field="approval_above")
    before = (company.approval_above, company.approval_for_buyers)
    company.approval_above, company.approval_for_buyers = approval_above, bool(for_buyers)
    if before != (company.approval_above, company.approval_for_buyers):
        audit.record("company.approval_rules", company, company_id=company.id, actor=by,
                     approval_above=approval_above if approval_above is not None else "none",
                     for_buyers=bool(for_buyers))
