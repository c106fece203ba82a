"""One deal, start to end, on its order's page: the quote it came from and its acceptance, the order,
its approvals, shipments with their tracking status, invoices, the payments and credit notes on them,
return requests, and the customer's decisions on extra charges (when the company sees charges; they come
loaded with the order) — in time order, each linked to its page when the user may open it.

What the user may see comes in as a `Sight` (the orders page makes it from the feature toggles and
the role's permissions): a part of a feature that is off, or that the user has no permission for,
is left out altogether, not only its link. Reading a deal takes at most six statements, whatever its
size (quote, shipments, invoices, payments, credit notes, returns), each limited to the order's company.

Invoices, payments and credit notes carry a business date (issue or received date) rather than a time:
they are placed at the time they were recorded when that was on the same day, else at the start of it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    ApprovalDecision,
    ChargeStatus,
    CreditNote,
    Invoice,
    Payment,
    Quote,
    ReturnRequest,
    SalesOrder,
    Shipment,
)
from portal.money import day, money
from portal.services import price_display, receivables

#: when two entries share a moment, the deal's natural order decides
RANK = {kind: rank for rank, kind in enumerate((
    "quote_sent", "quote_accepted", "order_placed", "approval", "shipment", "delivered", "invoice", "payment",
    "credit_note", "return", "charge"))}
#: quotes the customer never sees (portal.blueprints.quotations.services.HIDDEN says the same)
HIDDEN_QUOTE_STATUSES = ("draft",)


@dataclass(frozen=True)
class Sight:
    """Which parts of a deal the user sees; return_links only when a returns page exists for them.

    Return requests belong to the order until a returns feature is installed; then its toggle and
    permission decide, and its pages are linked."""

    quotes: bool = False
    shipments: bool = False
    invoices: bool = False
    returns: bool = False
    return_links: bool = False
    #: the company sees extra charges on the portal: their decisions are on the timeline
    charges: bool = False


@dataclass(frozen=True)
class Entry:
    #: naive UTC, for ordering
    at: datetime
    kind: str
    title: str
    detail: str = ""
    #: (endpoint, arguments) of the entry's page, or None
    link: tuple[str, dict] | None = None
    #: the entry has a date, not a time (show the day only)
    date_only: bool = False
    #: a status for a badge (shipments, returns), or ""
    status: str = ""
    #: tie-break among entries of the same kind and moment
    seq: int = 0

    @property
    def sort_key(self) -> tuple:
        return self.at, RANK[self.kind], self.seq


def _utc(moment: datetime) -> datetime:
    """Naive UTC (SQLite hands back naive datetimes, PostgreSQL aware ones)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _on(day: date, recorded: datetime | None) -> datetime:
    recorded = _utc(recorded) if recorded else None
    return recorded if recorded is not None and recorded.date() == day else datetime.combine(day, time.min)


def _quote_entries(order: SalesOrder) -> list[Entry]:
    if order.quote_id is None:
        return []
    quote = db.session.execute(select(Quote).where(
        Quote.id == order.quote_id, Quote.company_id == order.company_id,
        Quote.status.not_in(HIDDEN_QUOTE_STATUSES))).scalar_one_or_none()
    if quote is None:
        return []
    link = ("quotations.detail", {"quote_id": quote.id})
    label = quote.number or _("Request #%(id)s", id=quote.id)
    entries = [Entry(_utc(quote.issued_dt or quote.created_dt), "quote_sent", _("Quote %(label)s sent", label=label),
                     " · ".join(part for part in (quote.title, price_display.show_price(quote.total, quote.currency))
                                if part), link)]
    if quote.accepted_dt is not None:
        signed = _("Signed by %(name)s", name=quote.accepted_name) if quote.accepted_name else ""
        entries.append(Entry(_utc(quote.accepted_dt), "quote_accepted", _("Quote %(label)s accepted", label=label),
                             signed, link))
    return entries


def _order_entries(order: SalesOrder) -> list[Entry]:
    by = order.placed_by.name if order.placed_by else ""
    total = price_display.show_price(order.total, order.currency)
    entries = [Entry(_utc(order.placed_dt), "order_placed", _("Order %(number)s placed", number=order.number),
                     _("By %(name)s · %(total)s", name=by, total=total) if by else total)]
    for approval in order.approvals:
        approved = approval.decision == ApprovalDecision.approved
        if approval.decided_by:
            name = approval.decided_by.name
            title = _("Approved by %(name)s", name=name) if approved else _("Rejected by %(name)s", name=name)
        else:
            title = _("Approved") if approved else _("Rejected")
        entries.append(Entry(_utc(approval.decided_dt), "approval", title, approval.comment or "",
                             seq=approval.id))
    return entries


def _shipment_entries(order: SalesOrder) -> list[Entry]:
    entries = []
    for shipment in db.session.execute(select(Shipment).where(
            Shipment.order_id == order.id, Shipment.company_id == order.company_id)).scalars():
        link = ("shipments.detail", {"shipment_id": shipment.id})
        tracking = ", ".join(part for part in (
            shipment.carrier,
            _("tracking number %(number)s", number=shipment.tracking_number) if shipment.tracking_number else "")
            if part)
        entries.append(Entry(_utc(shipment.shipped_dt or shipment.created_dt), "shipment",
                             _("Shipment %(number)s", number=shipment.number), tracking, link,
                             status=shipment.status.value,
                             seq=shipment.id))
        if shipment.delivered_dt is not None:
            entries.append(Entry(_utc(shipment.delivered_dt), "delivered",
                                 _("Shipment %(number)s delivered", number=shipment.number),
                                 tracking, link, seq=shipment.id))
    return entries


def _money_entries(order: SalesOrder) -> list[Entry]:
    invoices = list(db.session.execute(receivables.visible_invoices(select(Invoice).where(
        Invoice.order_id == order.id, Invoice.company_id == order.company_id))).scalars())
    if not invoices:
        return []
    ids = [invoice.id for invoice in invoices]
    entries = [Entry(_on(invoice.issue_date, invoice.created_dt), "invoice",
                     _("Invoice %(number)s issued", number=invoice.number),
                     _("%(total)s, due %(date)s", total=money(invoice.total, invoice.currency),
                       date=day(invoice.due_date)),
                     ("invoices.detail", {"invoice_id": invoice.id}), date_only=True, status=invoice.status.value,
                     seq=invoice.id) for invoice in invoices]
    numbers = {invoice.id: invoice.number for invoice in invoices}
    for payment in db.session.execute(select(Payment).where(
            Payment.invoice_id.in_(ids), Payment.company_id == order.company_id)).scalars():
        entries.append(Entry(_on(payment.received_date, payment.created_dt), "payment",
                             _("Payment received, receipt %(number)s", number=payment.number),
                             _("%(amount)s on invoice %(invoice)s", amount=money(payment.amount, payment.currency),
                               invoice=numbers[payment.invoice_id]),
                             ("invoices.receipt", {"payment_id": payment.id}), date_only=True, seq=payment.id))
    for note in db.session.execute(receivables.visible_credit_notes(select(CreditNote).where(
            CreditNote.invoice_id.in_(ids), CreditNote.company_id == order.company_id))).scalars():
        entries.append(Entry(_on(note.issue_date, note.created_dt), "credit_note",
                             _("Credit note %(number)s", number=note.number),
                             " · ".join(part for part in (money(note.total, note.currency), note.reason) if part),
                             ("invoices.credit_note", {"credit_note_id": note.id}), date_only=True,
                             status=note.status.value, seq=note.id))
    return entries


def _return_entries(order: SalesOrder, linked: bool) -> list[Entry]:
    return [Entry(_utc(request.created_dt), "return", _("Return %(number)s requested", number=request.number),
                  request.reason or "",
                  ("returns.detail", {"return_id": request.id}) if linked else None,
                  status=request.status.value, seq=request.id)
            for request in db.session.execute(select(ReturnRequest).where(
                ReturnRequest.order_id == order.id, ReturnRequest.company_id == order.company_id)).scalars()]


def _charge_entries(order: SalesOrder) -> list[Entry]:
    """The customer's decisions on extra charges (order.charges, loaded with the order)."""
    entries = []
    for charge in order.charges:
        if charge.decided_dt is None:
            continue
        verb = "rejected" if charge.status == ChargeStatus.rejected else "approved"
        who = f" by {charge.decided_by.name}" if charge.decided_by else ""
        detail = " · ".join(part for part in (price_display.show_price(charge.total, order.currency),
                                              charge.customer_comment) if part)
        entries.append(Entry(_utc(charge.decided_dt), "charge", f"Charge \"{charge.description}\" {verb}{who}",
                             detail, status=verb, seq=charge.id))
    return entries


def for_order(order: SalesOrder, sight: Sight) -> list[Entry]:
    """The deal of `order` in time order, oldest first, with what `sight` lets the user see."""
    entries = _order_entries(order)
    if sight.quotes:
        entries += _quote_entries(order)
    if sight.shipments:
        entries += _shipment_entries(order)
    if sight.invoices:
        entries += _money_entries(order)
    if sight.returns:
        entries += _return_entries(order, sight.return_links)
    if sight.charges:
        entries += _charge_entries(order)
    return sorted(entries, key=lambda entry: entry.sort_key)
