"""A supplier answering a purchase order — acknowledge it, propose another delivery date, add a note — and
staff accepting or declining a proposed date.

Every change first takes the purchase order's row (one UPDATE that changes nothing: a row lock on
PostgreSQL, the write lock on SQLite), so a double click or two colleagues at once act one after the
other and the second sees what the first did: one acknowledgement, one pending proposal, one note.
Supplier actions are audited, kept on the engagement record and told to staff (staff_notices); staff
answers are audited and emailed to the supplier contact who proposed the date. Callers commit.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import update

from portal.extensions import db
from portal.models import (
    DeliveryDateProposal,
    ProposalStatus,
    PurchaseOrder,
    PurchaseOrderNote,
    PurchaseOrderStatus,
    SupplierBill,
    SupplierBillStatus,
    User,
)
from portal.services import audit, clock, mailer, portal_events, staff_notices
from portal.services.actor import Actor
from portal.services.errors import RuleError

NOTE_LIMIT = 1_000
REASON_LIMIT = 500
#: how far ahead a supplier may propose a delivery date
FURTHEST_PROPOSAL = timedelta(days=3 * 366)
#: states in which the goods are still to come: the supplier may acknowledge and propose a date
OPEN = (PurchaseOrderStatus.sent, PurchaseOrderStatus.acknowledged)

#: the staff notification kinds the supplier feature declares (Feature.events)
ACKNOWLEDGED = "purchase_order_acknowledged"
DATE_PROPOSED = "purchase_order_date_proposed"
NOTE_ADDED = "purchase_order_note"
EVENTS = {ACKNOWLEDGED: "A supplier acknowledged a purchase order",
          DATE_PROPOSED: "A supplier proposed a new delivery date",
          NOTE_ADDED: "A supplier added a note to a purchase order"}
#: the emails the proposer gets when staff answer
DATE_ACCEPTED, DATE_DECLINED = "purchase_order_date_accepted", "purchase_order_date_declined"


class ResponseError(RuleError):
    """The supplier's or staff's answer was refused; nothing was changed."""


# --- what the pages show ------------------------------------------------------------------------------

def pending_proposal(order: PurchaseOrder) -> DeliveryDateProposal | None:
    return next((p for p in order.date_proposals if p.status == ProposalStatus.pending), None)


def latest_decision(order: PurchaseOrder) -> DeliveryDateProposal | None:
    """The last proposal staff answered (shown to the supplier until it proposes again)."""
    decided = [p for p in order.date_proposals if p.status != ProposalStatus.pending]
    return decided[-1] if decided else None


def may_acknowledge(order: PurchaseOrder) -> bool:
    return order.status in OPEN and order.acknowledged_dt is None


def may_propose(order: PurchaseOrder) -> bool:
    return order.status in OPEN


# --- the supplier's answers -----------------------------------------------------------------------------

def _claim(order: PurchaseOrder) -> None:
    """Take the purchase order's row until the transaction ends, then read it as it is now."""
    db.session.execute(update(PurchaseOrder).where(PurchaseOrder.id == order.id).values(id=PurchaseOrder.id)
                       .execution_options(synchronize_session=False))
    db.session.refresh(order)
    db.session.expire(order, ["date_proposals", "supplier_notes"])  # read again: another request may have added


def _recorded(action: str, kind: str, order: PurchaseOrder, by: Actor, summary: str, **data) -> None:
    """Audit (`action`), engagement record and staff notice (`kind`) of one supplier answer."""
    audit.record(f"purchase_order.{action}", order, company_id=order.company_id, actor=by, number=order.number,
                 **data)
    portal_events.record(kind, company_id=order.company_id, by=by, subject_type="purchase_order",
                         subject_id=order.id, data={"number": order.number, **{k: str(v) for k, v in data.items()}})
    staff_notices.notify(kind, summary, company=order.company, contact=by.user,
                         link=mailer.external_url("admin_purchase_order.edit_view", id=order.id))


def _who(by: Actor) -> str:
    return by.user.name if by.user is not None else "The supplier"


def acknowledge(order: PurchaseOrder, by: Actor) -> bool:
    """Record that the supplier received the order and will deliver it: True when this did it, False when it
    was acknowledged before (a double click). ResponseError for a received or cancelled order."""
    _claim(order)
    if order.status == PurchaseOrderStatus.received:
        raise ResponseError(_("This purchase order is received already: there is nothing to acknowledge."))
    if order.status == PurchaseOrderStatus.cancelled:
        raise ResponseError(_("This purchase order is cancelled: there is nothing to acknowledge."))
    if order.status not in OPEN:
        raise ResponseError(_("This purchase order cannot be acknowledged."))
    if order.acknowledged_dt is not None:
        return False
    done = db.session.execute(
        update(PurchaseOrder).where(PurchaseOrder.id == order.id, PurchaseOrder.acknowledged_dt.is_(None),
                                    PurchaseOrder.status.in_(OPEN))
        .values(status=PurchaseOrderStatus.acknowledged, acknowledged_dt=clock.now(), acknowledged_by_id=by.user_id)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.refresh(order)
    if done:
        _recorded("acknowledge", ACKNOWLEDGED, order, by, f"{_who(by)} acknowledged purchase order {order.number}.")
    return done


def parse_date(raw: str | None) -> date:
    """A date as the date field sends it (YYYY-MM-DD); ResponseError for anything else."""
    text = (raw or "").strip()
    if not text:
        raise ResponseError(_("Choose the date you can deliver on."), field="date")
    try:
        if len(text) != 10:  # fromisoformat also takes 20260131 and week dates: not what the form sends
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ResponseError(_("Enter a real date, such as 2027-03-31."), field="date") from None


def propose_date(order: PurchaseOrder, raw_date: str | None, reason: str | None,
                 by: Actor) -> DeliveryDateProposal | None:
    """Propose to deliver on another date; it waits for staff. A new proposal replaces a pending one; the same
    one sent twice changes nothing (None). ResponseError for a bad date or an order no longer open."""
    wanted = parse_date(raw_date)
    if wanted < clock.today():
        raise ResponseError(_("The new delivery date cannot be in the past."), field="date")
    if wanted > clock.today() + FURTHEST_PROPOSAL:
        raise ResponseError(_("Propose a date within the next three years."), field="date")
    reason = (reason or "").strip()
    if len(reason) > REASON_LIMIT:
        raise ResponseError(_("The reason has at most %(limit)s characters.", limit=REASON_LIMIT), field="reason")
    _claim(order)
    if order.status == PurchaseOrderStatus.received:
        raise ResponseError(_("This purchase order is received already: its delivery date no longer changes."))
    if not may_propose(order):
        raise ResponseError(_("This purchase order is cancelled: its delivery date no longer changes."))
    if wanted == order.expected_date:
        raise ResponseError(_("That is the expected delivery date already."), field="date")
    pending = pending_proposal(order)
    if pending is not None and pending.proposed_date == wanted and pending.reason == reason:
        return None
    if pending is None:
        pending = DeliveryDateProposal(purchase_order=order, status=ProposalStatus.pending)
        db.session.add(pending)
    pending.proposed_date, pending.reason = wanted, reason
    pending.proposed_by_id, pending.created_dt = by.user_id, clock.now()
    db.session.flush()
    why = f" Reason: {reason}" if reason else ""
    _recorded("propose_date", DATE_PROPOSED, order, by,
              f"{_who(by)} proposed to deliver purchase order {order.number} on {wanted.isoformat()}"
              f" (expected: {order.expected_date.isoformat() if order.expected_date else 'not set'}).{why}",
              proposed_date=wanted.isoformat())
    return pending


def add_note(order: PurchaseOrder, body: str | None, by: Actor) -> PurchaseOrderNote | None:
    """A short note on the order for our staff; the same note sent twice in a row is kept once (None)."""
    body = (body or "").strip()
    if not body:
        raise ResponseError(_("Write a note first."), field="body")
    if len(body) > NOTE_LIMIT:
        raise ResponseError(_("A note has at most %(limit)s characters.", limit=f"{NOTE_LIMIT:,}"), field="body")
    _claim(order)
    last = order.supplier_notes[-1] if order.supplier_notes else None
    if last is not None and last.author_id == by.user_id and last.body == body:
        return None
    note = PurchaseOrderNote(purchase_order=order, author_id=by.user_id, body=body, created_dt=clock.now())
    db.session.add(note)
    db.session.flush()
    _recorded("add_note", NOTE_ADDED, order, by, f"{_who(by)} wrote on purchase order {order.number}: {body}")
    return note


# --- staff's answer to a proposed date -------------------------------------------------------------------

def _decide(order: PurchaseOrder, proposal_id: int | None, shown_date: str | None, to: ProposalStatus,
            staff: User, answer: str = "") -> DeliveryDateProposal:
    """Claim the pending proposal staff looked at (its id and the date they saw) for `to`."""
    proposal = db.session.get(DeliveryDateProposal, proposal_id) if proposal_id else None
    if proposal is None or proposal.purchase_order_id != order.id:
        raise ResponseError("That proposal does not belong to this purchase order.")
    _claim(order)
    db.session.refresh(proposal)
    if proposal.status != ProposalStatus.pending:
        raise ResponseError(f"The proposal was {proposal.status.value} already.")
    if shown_date is not None and shown_date != proposal.proposed_date.isoformat():
        raise ResponseError("The supplier changed the proposal meanwhile: look at the new date and answer again.")
    done = db.session.execute(
        update(DeliveryDateProposal).where(DeliveryDateProposal.id == proposal.id,
                                           DeliveryDateProposal.status == ProposalStatus.pending)
        .values(status=to, decided_by_id=staff.id, decided_dt=clock.now(), answer=answer)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.refresh(proposal)
    if not done:
        raise ResponseError(f"The proposal was {proposal.status.value} already.")
    return proposal


def _tell_proposer(kind: str, order: PurchaseOrder, proposal: DeliveryDateProposal) -> None:
    user = proposal.proposed_by
    if user is None or not user.is_active:
        return
    mailer.send(kind, user, purchase_order_number=order.number, proposed_date=proposal.proposed_date,
                expected_date=order.expected_date, message=proposal.answer,
                link=mailer.company_url("supplier.purchase_order", order.company_id, purchase_order_id=order.id))


def accept_proposal(order: PurchaseOrder, proposal_id: int | None, shown_date: str | None,
                    staff: User) -> DeliveryDateProposal:
    """The proposed date becomes the order's expected date; the proposer is emailed."""
    if order.status not in OPEN:
        raise ResponseError(f"{order.number} is {order.status.value}: decline the proposal instead.")
    proposal = _decide(order, proposal_id, shown_date, ProposalStatus.accepted, staff)
    before = order.expected_date
    order.expected_date = proposal.proposed_date
    audit.record("purchase_order.accept_date", order, company_id=order.company_id, actor=Actor.of(staff),
                 number=order.number, before=before or "", after=proposal.proposed_date)
    _tell_proposer(DATE_ACCEPTED, order, proposal)
    return proposal


def decline_proposal(order: PurchaseOrder, proposal_id: int | None, shown_date: str | None, answer: str | None,
                     staff: User) -> DeliveryDateProposal:
    """The expected date stays; the proposer is emailed, with staff's message when they wrote one."""
    answer = (answer or "").strip()
    if len(answer) > REASON_LIMIT:
        raise ResponseError(f"Keep the message under {REASON_LIMIT} characters.")
    proposal = _decide(order, proposal_id, shown_date, ProposalStatus.declined, staff, answer)
    audit.record("purchase_order.decline_date", order, company_id=order.company_id, actor=Actor.of(staff),
                 number=order.number, proposed=proposal.proposed_date)
    _tell_proposer(DATE_DECLINED, order, proposal)
    return proposal


# --- bills ------------------------------------------------------------------------------------------------

def settle_paid_date(bill: SupplierBill) -> None:
    """A bill marked paid without a paid date was paid today; one not paid has no paid date."""
    if bill.status == SupplierBillStatus.paid and bill.paid_date is None:
        bill.paid_date = clock.today()
    elif bill.status != SupplierBillStatus.paid:
        bill.paid_date = None
