"""Emails that tell a customer's contacts what happened to their documents: a new invoice, a payment we
received, an order we confirmed, a shipment on its way or delivered.

Each event is emailed once: its key ("invoice_issued:42") is claimed in customer_notice with an insert
that does nothing when the key is there already, so a retried status change, a repeated webhook or two
workers at once never email it twice. The recipients are the company's contacts who may use the portal
now, whose role may see the document (`permission`) and whose notification preferences want the kind;
nothing is sent while the document's feature is off. Any code path that changes these states calls the
function for its event (the back office, payment requests, the Stripe webhook, tracking updates); the
caller commits, and the emails go out through the outbox with its transaction.
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from portal import settings
from portal.extensions import db
from portal.models import (
    Company,
    CustomerNotice,
    InvitationState,
    Invoice,
    InvoiceStatus,
    Membership,
    OrderStatus,
    OutboxEmail,
    Payment,
    SalesOrder,
    Shipment,
    ShipmentStatus,
    User,
)
from portal.money import Shown, day_shown, money, money_shown
from portal.services import mailer, preferences
from portal.services.receivables import ISSUED_INVOICE

#: shipment states in which the goods have left us
DISPATCHED = (ShipmentStatus.shipped, ShipmentStatus.in_transit)


# --- who hears about it ---------------------------------------------------------------------------

def recipients(company: Company, permission: str, pref: str | None) -> list[User]:
    """The company's contacts who may use the portal now, whose role has `permission` and who want `pref`."""
    if not company.portal_access or not company.is_customer:
        return []
    memberships = db.session.execute(
        select(Membership).join(Membership.user).options(joinedload(Membership.role), joinedload(Membership.user))
        .where(Membership.company_id == company.id, Membership.is_active.is_(True), User.portal_access.is_(True),
               User.is_active_flag.is_(True), User.invitation_state != InvitationState.revoked)
        .order_by(User.id)).scalars()
    return [m.user for m in memberships
            if m.user.is_contact and (m.role.all_permissions or permission in (m.role.permissions or []))
            and preferences.wants(m.user, pref)]


def first_time(model, **values) -> bool:
    """Insert a row of `model` (a table with a unique key over `values`) unless it is there: True when this
    transaction inserted it. Correct under concurrent transactions on both engines (the later insert waits
    for the earlier one and then does nothing)."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    inserted = db.session.execute(insert(model).values(**values).on_conflict_do_nothing().returning(model.id))
    return inserted.scalar_one_or_none() is not None


def notify(kind: str, event_key: str, company: Company, *, feature: str, permission: str,
           **context) -> list[OutboxEmail]:
    """Email one event of a company to the contacts who want it, once (see the module docstring)."""
    if not settings.is_enabled(feature):
        return []
    people = recipients(company, permission, mailer.kind_of(kind).pref)
    if not first_time(CustomerNotice, event_key=event_key, recipients=len(people)):
        return []
    context.setdefault("company_name", company.name)
    return [email for person in people if (email := mailer.send(kind, person, **context)) is not None]


# --- the events -------------------------------------------------------------------------------------

def invoice_saved(invoice: Invoice, before: InvoiceStatus | None) -> list[OutboxEmail]:
    """Staff created or edited an invoice: once it is issued (no longer draft nor void), the customer hears."""
    if invoice.status not in ISSUED_INVOICE or before in ISSUED_INVOICE:
        return []
    return notify("invoice_issued", f"invoice_issued:{invoice.id}", invoice.company, feature="invoices",
                  permission="invoices.view", **invoice_context(invoice))


def invoice_context(invoice: Invoice) -> dict:
    """Money and dates are worded in each recipient's language when their email is written (money.Shown)."""
    return {"invoice_number": invoice.number, "total": money_shown(invoice.total, invoice.currency),
            "due_date": day_shown(invoice.due_date) if invoice.due_date else "",
            "balance_due": money_shown(invoice.balance_due, invoice.currency),
            "link": mailer.external_url("invoices.detail", invoice_id=invoice.id)}


def payments_received(payments: Sequence[Payment], event_key: str) -> list[OutboxEmail]:
    """Payments of one company were recorded (by staff, a confirmed transfer or a card payment): one receipt
    email listing them. `event_key` names what recorded them ("payment:7", "payment_request:3")."""
    payments = [p for p in payments if p.amount and p.amount > 0]
    if not payments:
        return []
    company, currency = payments[0].company, payments[0].currency
    amount = sum((p.amount for p in payments), Decimal(0))
    lines = [(p.number, p.amount, p.currency, p.invoice.number if p.invoice is not None else None,
              p.invoice is not None and p.invoice.status == InvoiceStatus.paid) for p in payments]
    link = (mailer.external_url("invoices.receipt", payment_id=payments[0].id) if len(payments) == 1
            else mailer.external_url("invoices.receipts"))
    return notify("payment_receipt", f"payment_receipt:{event_key}", company, feature="invoices",
                  permission="invoices.view", amount=money_shown(amount, currency), receipts=Shown(_receipt_lines, lines),
                  link=link)


def _receipt_lines(lines) -> str:
    """One line per receipt, in the reader's language."""
    worded = []
    for number, amount, currency, invoice_number, paid in lines:
        shown = money(amount, currency)
        if invoice_number is None:
            worded.append(_("Receipt %(number)s: %(amount)s on account", number=number, amount=shown))
        elif paid:
            worded.append(_("Receipt %(number)s: %(amount)s on invoice %(invoice)s (invoice %(invoice)s is now paid)",
                            number=number, amount=shown, invoice=invoice_number))
        else:
            worded.append(_("Receipt %(number)s: %(amount)s on invoice %(invoice)s", number=number, amount=shown,
                            invoice=invoice_number))
    return "\n".join(worded)


def order_status_changed(order: SalesOrder, before: OrderStatus | None) -> list[OutboxEmail]:
    """Staff changed an order's status: confirming it tells the customer (once per order)."""
    if order.status != OrderStatus.confirmed or before == OrderStatus.confirmed:
        return []
    return notify("order_confirmed", f"order_confirmed:{order.id}", order.company, feature="orders",
                  permission="orders.view", order_number=order.number,
                  total=money_shown(order.total, order.currency),
                  customer_reference=order.customer_reference or "",
                  link=mailer.external_url("orders.detail", order_id=order.id))


def shipment_status_changed(shipment: Shipment, before: ShipmentStatus | str | None,
                            after: ShipmentStatus | str | None = None) -> list[OutboxEmail]:
    """A shipment's status changed (staff, a carrier's tracking update): leaving us and arriving each tell
    the customer once per shipment. `after` defaults to the shipment's status now."""
    after = ShipmentStatus(after or shipment.status)
    before = ShipmentStatus(before) if before else None
    if after == before:
        return []
    if after in DISPATCHED and before not in DISPATCHED:
        kind = "shipment_dispatched"
    elif after == ShipmentStatus.delivered:
        kind = "shipment_delivered"
    else:
        return []
    return notify(kind, f"{kind}:{shipment.id}", shipment.company, feature="shipments",
                  permission="shipments.view", shipment_number=shipment.number,
                  order_number=shipment.order.number if shipment.order is not None else "",
                  carrier=shipment.carrier or "", tracking_number=shipment.tracking_number or "",
                  link=mailer.external_url("shipments.detail", shipment_id=shipment.id))
