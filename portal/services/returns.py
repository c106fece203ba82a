"""Return requests from the customer's side: what may still be returned, the return window, requesting.

Rules (issue 11 item 1):
- only a delivered order's lines with a product can be returned, within the return window
  (setting ``returns.window_days``, counted from the order's last recorded delivery);
- a line's returnable quantity is what was delivered less what is already on returns that are not
  rejected (what staff counted when it came back, once received); checked again under a lock on the
  order row inside the requesting transaction, so two parallel requests never return more;
- every line has a reason (damaged, wrong item, not needed, other with words); photos are checked by
  content like every upload (portal.services.uploads, kind "document").
Staff's side (approve, reject, receive, credit) is portal.services.return_handling.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from werkzeug.datastructures import FileStorage

from portal import settings
from portal.extensions import db
from portal.i18n import N_
from portal.models import (
    OrderStatus,
    ReturnAttachment,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
    SalesOrder,
    SalesOrderLine,
    Shipment,
)
from portal.money import day, number
from portal.services import audit, clock, mailer, portal_events, portal_notices, staff_notices, uploads
from portal.services.actor import Actor
from portal.services.errors import RuleError
from portal.services.uploads import CheckedFile

#: why a line comes back, as offered on /returns/new
REASONS = (("damaged", N_("Damaged")), ("wrong_item", N_("Wrong item")), ("not_needed", N_("Not needed")),
           ("other", N_("Other (say why)")))
MAX_FILES = 5
NOTE_LIMIT = 2_000
REASON_TEXT_LIMIT = 255
ZERO = Decimal(0)


class ReturnError(RuleError):
    """A return request that cannot be made or changed; the message says why, for the user."""


@dataclass(frozen=True)
class Returnable:
    """One order line as the return form offers it."""

    line: SalesOrderLine
    delivered: Decimal
    returned: Decimal

    @property
    def remaining(self) -> Decimal:
        return max(self.delivered - self.returned, ZERO)


@dataclass(frozen=True)
class LineChoice:
    """What the customer asked for one order line (parsed from the form, not yet checked)."""

    order_line_id: int
    quantity: str
    reason_code: str = ""
    reason_text: str = ""



def window_days() -> int:
    return int(settings.get("returns.window_days"))


def delivered_on(order: SalesOrder) -> datetime | None:
    """When the order was delivered: its last shipment's delivery, else (staff set it delivered without
    recording one) when it was placed; None while it is not delivered."""
    if order.status != OrderStatus.delivered:
        return None
    last = db.session.execute(select(func.max(Shipment.delivered_dt)).where(Shipment.order_id == order.id)).scalar()
    return last or order.placed_dt


def window_closes(order: SalesOrder) -> datetime | None:
    delivered = delivered_on(order)
    return delivered + timedelta(days=window_days()) if delivered is not None else None


def refusal(order: SalesOrder) -> str | None:
    """Why the order cannot be returned now (None: it can)."""
    if order.status != OrderStatus.delivered:
        return _("Order %(number)s is not delivered yet: only delivered goods can be returned.", number=order.number)
    closes = window_closes(order)
    if closes is not None and clock.now() > _aware(closes):
        return _("The return window for order %(number)s closed on %(date)s: returns are accepted within %(days)s "
                 "days of delivery. Open a support ticket if something is wrong.", number=order.number,
                 date=day(closes), days=window_days())
    if not any(r.remaining > 0 for r in returnable_lines(order)):
        return _("Everything delivered on order %(number)s is already on a return request.", number=order.number)
    return None


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=clock.now().tzinfo)


def delivered_quantity(line: SalesOrderLine) -> Decimal:
    """What the customer received of a line of a delivered order (its full quantity when staff marked
    the order delivered without recording shipped quantities)."""
    return line.quantity_shipped if line.quantity_shipped else line.quantity


def returned_quantities(order_id: int) -> dict[int, Decimal]:
    """Order line id -> quantity on the order's returns that are not rejected (read fresh)."""
    counted = func.coalesce(ReturnLine.quantity_received, ReturnLine.quantity)
    rows = db.session.execute(
        select(ReturnLine.order_line_id, func.sum(counted))
        .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_request_id)
        .where(ReturnRequest.order_id == order_id, ReturnRequest.status != ReturnStatus.rejected,
               ReturnLine.order_line_id.is_not(None))
        .group_by(ReturnLine.order_line_id))
    return {line_id: Decimal(total or 0) for line_id, total in rows}


def returnable_lines(order: SalesOrder) -> list[Returnable]:
    returned = returned_quantities(order.id)
    return [Returnable(line, delivered_quantity(line), returned.get(line.id, ZERO))
            for line in order.lines if line.product_id is not None]


def check_files(files: Iterable[FileStorage]) -> list[CheckedFile]:
    """The chosen photos and documents checked by content (nothing stored yet)."""
    try:
        return uploads.check_attachments(files, MAX_FILES, _("Attach at most %(count)s files.", count=MAX_FILES))
    except uploads.UploadError as exc:
        raise ReturnError(str(exc)) from exc


def _quantity(raw: str, description: str) -> Decimal:
    try:
        value = Decimal((raw or "0").strip() or "0")
    except InvalidOperation:
        raise ReturnError(_("Enter the quantity of %(item)s as a number.", item=description)) from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.001")):
        raise ReturnError(_("Enter the quantity of %(item)s as a number of 0 or more.", item=description))
    return value


def _lock(order: SalesOrder) -> None:
    """Hold the order row until commit: PostgreSQL locks the row, SQLite takes the write lock. A second
    request for the same order waits here and then reads what the first one committed."""
    db.session.execute(update(SalesOrder).where(SalesOrder.id == order.id).values(id=SalesOrder.id)
                       .execution_options(synchronize_session=False))


def _wanted(order: SalesOrder, choices: Iterable[LineChoice]) -> list[tuple[SalesOrderLine, Decimal, str, str]]:
    lines = {line.id: line for line in order.lines if line.product_id is not None}
    wanted = []
    for choice in choices:
        line = lines.get(choice.order_line_id)
        if line is None:
            raise ReturnError(_("Choose lines of this order."))
        quantity = _quantity(choice.quantity, line.description)
        if quantity == 0:
            continue
        if choice.reason_code not in dict(REASONS):
            raise ReturnError(_("Choose why %(item)s comes back.", item=line.description))
        text = (choice.reason_text or "").strip()
        if choice.reason_code == "other" and not text:
            raise ReturnError(_("Say why %(item)s comes back.", item=line.description))
        if len(text) > REASON_TEXT_LIMIT:
            raise ReturnError(_("Keep the reason for %(item)s under %(limit)s characters.", item=line.description,
                                limit=REASON_TEXT_LIMIT))
        wanted.append((line, quantity, choice.reason_code, text))
    if not wanted:
        raise ReturnError(_("Enter a quantity to return for at least one line."))
    return wanted


def request_return(order: SalesOrder, choices: Iterable[LineChoice], *, by: Actor, note: str = "",
                   files: Iterable[CheckedFile] = ()) -> ReturnRequest:
    """A customer's return request for lines of a delivered order (caller commits); ReturnError, with
    nothing changed, when the window closed or a quantity is more than may still be returned."""
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise ReturnError(_("Keep the note under %(limit)s characters.", limit=number(NOTE_LIMIT)))
    _lock(order)
    db.session.refresh(order)
    problem = refusal(order)
    if problem:
        raise ReturnError(problem)
    wanted = _wanted(order, choices)
    remaining = {r.line.id: r.remaining for r in returnable_lines(order)}
    for line, quantity, _code, _text in wanted:
        if quantity > remaining[line.id]:
            left = remaining[line.id].normalize()
            raise ReturnError(_("At most %(quantity)s of %(item)s can still be returned (delivered less what is "
                                "already on a return request).", quantity=f"{left:f}", item=line.description))
    request = ReturnRequest(company_id=order.company_id, order_id=order.id, requested_by_id=by.user_id,
                            acting_rep_id=by.acting_rep_id, status=ReturnStatus.requested, reason=note)
    for line, quantity, code, text in wanted:
        request.lines.append(ReturnLine(order_line_id=line.id, product_id=line.product_id, quantity=quantity,
                                        reason_code=code, reason=text))
    db.session.add(request)
    db.session.flush()
    for file in files:
        request.attachments.append(ReturnAttachment(stored_name=uploads.keep(file.data, file.fmt),
                                                    filename=file.filename, size=len(file.data)))
    audit.record("return.requested", request, actor=by, number=request.number, order=order.number)
    event("return_requested", request, by)
    staff_notices.notify("return_requested", f"{request.number} for order {order.number}", company=order.company,
                         contact=by.user, link=mailer.external_url("admin_return_request.handle", id=request.id))
    tell_requester(request)
    return request


def event(kind: str, request: ReturnRequest, by: Actor) -> None:
    portal_events.record(kind, company_id=request.company_id, by=by, subject_type="return_request",
                         subject_id=request.id, data={"number": request.number, "status": request.status.value})


#: status -> the email its requester gets
EMAILS = {ReturnStatus.requested: "return_requested", ReturnStatus.approved: "return_approved",
          ReturnStatus.rejected: "return_rejected", ReturnStatus.received: "return_received",
          ReturnStatus.credited: "return_credited"}
#: the steps also told in the portal (portal notices the returns feature declares)
NOTICES = {ReturnStatus.approved: "return_approved", ReturnStatus.rejected: "return_rejected",
           ReturnStatus.credited: "return_credited"}


def tell_requester(request: ReturnRequest) -> None:
    """Email the person who requested the return about its status now (in the caller's transaction); an
    approval, a rejection and a credit are told in the portal too."""
    user = request.requested_by
    if request.status in NOTICES:
        portal_notices.notify_company(
            NOTICES[request.status], f"{NOTICES[request.status]}:{request.id}", request.company,
            permission="returns.view", title=request.number or "",
            body=(request.credit_note.number if request.credit_note else "") if request.status == ReturnStatus.credited
            else request.staff_note or "",
            page=portal_notices.path("returns.detail", return_id=request.id), people=[user] if user else [])
    if user is None or not user.is_active:
        return
    order = request.order
    mailer.send(EMAILS[request.status], user, return_number=request.number,
                order_number=order.number if order else "", message=request.staff_note or "",
                credit_note_number=request.credit_note.number if request.credit_note else "",
                link=mailer.company_url("returns.detail", request.company_id, return_id=request.id))
