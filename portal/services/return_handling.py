"""Staff handling a return request: approve (with return instructions), reject (with a reason), mark the
goods received (what was counted per line), credit the received lines with one credit note.

The statuses move only forward along NEXT. Each move is one conditional UPDATE on the status it came
from, so a double click or two staff at once change it once: the second finds the status moved on and
is refused (no second credit note). Every change is audited and emailed to the requester.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import select, update

from portal.extensions import db
from portal.models import (
    CreditNote,
    CreditNoteLine,
    CreditNoteStatus,
    Invoice,
    InvoiceStatus,
    ReturnRequest,
    ReturnStatus,
    User,
)
from portal.services import audit, clock, credit_notes, returns
from portal.services.actor import Actor
from portal.services.returns import ReturnError
from portal.services.totals import recompute_totals

#: status -> the statuses it may move to
NEXT: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    ReturnStatus.requested: frozenset({ReturnStatus.approved, ReturnStatus.rejected}),
    ReturnStatus.approved: frozenset({ReturnStatus.received}),
    ReturnStatus.received: frozenset({ReturnStatus.credited}),
    ReturnStatus.rejected: frozenset(),
    ReturnStatus.credited: frozenset(),
}
#: statuses whose slip (the printable return label) the customer may print
SLIP_STATUSES = (ReturnStatus.approved, ReturnStatus.received, ReturnStatus.credited)
TEXT_LIMIT = 2_000
#: the moment column each status stamps
_STAMPS = {ReturnStatus.approved: "decided_dt", ReturnStatus.rejected: "decided_dt",
           ReturnStatus.received: "received_dt", ReturnStatus.credited: "credited_dt"}


def may_move(current: ReturnStatus, to: ReturnStatus) -> bool:
    return to in NEXT[current]


def _move(request: ReturnRequest, to: ReturnStatus, **values) -> None:
    """Claim the move from the request's status to `to`; ReturnError when it is not allowed or someone
    else moved it first."""
    current = request.status
    if not may_move(current, to):
        raise ReturnError(f"{request.number} is {current.value}: it cannot be {to.value} now.")
    result = db.session.execute(
        update(ReturnRequest).where(ReturnRequest.id == request.id, ReturnRequest.status == current)
        .values(status=to, **{_STAMPS[to]: clock.now()}, **values)
        .execution_options(synchronize_session=False))
    db.session.refresh(request)
    if result.rowcount != 1:
        raise ReturnError(f"{request.number} was changed at the same moment: it is {request.status.value} now.")


def _text(value: str | None, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ReturnError(missing)
    if len(value) > TEXT_LIMIT:
        raise ReturnError(f"Keep it under {TEXT_LIMIT:,} characters.")
    return value


def _done(request: ReturnRequest, action: str, staff: User, **details) -> None:
    by = Actor.of(staff)
    audit.record(f"return.{action}", request, company_id=request.company_id, actor=by, number=request.number,
                 **details)
    returns.event(f"return_{action}", request, by)
    returns.tell_requester(request)


def approve(request: ReturnRequest, instructions: str, *, staff: User) -> None:
    """Approve with the instructions the customer follows (printed on the return slip too)."""
    text = _text(instructions, "Write the return instructions for the customer.")
    _move(request, ReturnStatus.approved, staff_note=text)
    _done(request, "approved", staff)


def reject(request: ReturnRequest, reason: str, *, staff: User) -> None:
    text = _text(reason, "Say why the return is rejected: the customer reads it.")
    _move(request, ReturnStatus.rejected, staff_note=text)
    _done(request, "rejected", staff)


def receive(request: ReturnRequest, counted: Mapping[int, str], *, staff: User) -> None:
    """The goods came back: `counted` is return line id -> quantity received (0 up to what was requested)."""
    if request.status != ReturnStatus.approved:
        raise ReturnError(f"{request.number} is {request.status.value}: only an approved return is received.")
    quantities = {}
    for line in request.lines:
        raw = counted.get(line.id, "")
        quantity = returns._quantity(raw, str(line)) if str(raw).strip() else line.quantity
        if quantity > line.quantity:
            raise ReturnError(f"At most {line.quantity.normalize():f} of {line} was to come back.")
        quantities[line.id] = quantity
    if not any(quantities.values()):
        raise ReturnError("Nothing was counted: enter what came back, or leave the return approved.")
    _move(request, ReturnStatus.received)
    for line in request.lines:
        line.quantity_received = quantities[line.id]
    _done(request, "received", staff, counted={str(k): str(v) for k, v in quantities.items()})


def _invoice_for(request: ReturnRequest, total: Decimal, currency: str) -> Invoice | None:
    """The order's invoice when it still owes at least the credit; otherwise the credit is the company's."""
    invoice = db.session.execute(
        select(Invoice).where(Invoice.order_id == request.order_id, Invoice.currency == currency,
                              Invoice.status.not_in((InvoiceStatus.draft, InvoiceStatus.void)))
        .order_by(Invoice.id.desc()).limit(1)).scalar_one_or_none()
    return invoice if invoice is not None and invoice.balance_due >= total else None


def credit(request: ReturnRequest, *, staff: User) -> CreditNote:
    """One credit note for the received lines at the order's prices (once: a second call is refused)."""
    if request.status != ReturnStatus.received or request.credit_note_id is not None:
        raise ReturnError(f"{request.number} is {request.status.value}: only a received return is credited, once.")
    order = request.order
    if order is None:
        raise ReturnError(f"The order of {request.number} is gone: raise the credit note by hand.")
    _move(request, ReturnStatus.credited)
    note = CreditNote(company_id=request.company_id, currency=order.currency, status=CreditNoteStatus.issued,
                      reason=f"Return {request.number} (order {order.number})"[:255], issue_date=clock.today())
    for position, line in enumerate(request.lines, start=1):
        source = line.order_line
        if source is None or not line.quantity_received:
            continue
        note.lines.append(CreditNoteLine(position=position, product_id=source.product_id,
                                         description=source.description, quantity=line.quantity_received,
                                         unit_price=source.unit_price, discount_percent=source.discount_percent,
                                         tax_rate=source.tax_rate))
    recompute_totals(note)
    note.invoice = _invoice_for(request, note.total, note.currency)
    credit_notes.issue(note)
    db.session.add(note)
    db.session.flush()
    request.credit_note_id = note.id
    db.session.flush()
    db.session.refresh(request)
    _done(request, "credited", staff, credit_note=note.number)
    return note
