"""What we tell a customer's contacts about their documents: a new invoice, a payment we received, an order
we confirmed, a shipment on its way or delivered — in the portal and by email.

Each event goes through portal.services.portal_notices.notify_company, so it is told once: its key
("invoice_issued:42") is claimed in customer_notice with an insert that does nothing when the key is there
already, so a retried status change, a repeated webhook or two workers at once never tell it twice. The
people told are the company's contacts who may use the portal now and whose role may see the document
(`permission`); each gets a portal notification, and the email unless their notification preferences say
no; nothing is told while the document's feature is off. Any code path that changes these states calls the
function for its event (the back office, payment requests, the Stripe webhook, tracking updates); the
caller commits, and the emails go out through the outbox with its transaction.
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from flask_babel import gettext as _

from portal.models import (
    Company,
    Invoice,
    InvoiceStatus,
    OrderStatus,
    OutboxEmail,
    Payment,
    SalesOrder,
    Shipment,
    ShipmentStatus,
)
from portal.money import Shown, day_shown, money, money_shown
from portal.services import mailer, portal_notices
from portal.services.receivables import ISSUED_INVOICE

#: shipment states in which the goods have left us
DISPATCHED = (ShipmentStatus.shipped, ShipmentStatus.in_transit)


# --- who hears about it ---------------------------------------------------------------------------

def notify(kind: str, event_key: str, company: Company, *, permission: str, title: str, link_path: str,
           **context) -> list[OutboxEmail]:
    """Tell one event of a company to the contacts who may see it, and email those who want it, once (see the
    module docstring). The notice kind and the email kind are both `kind`."""
    return portal_notices.notify_company(kind, event_key, company, permission=permission, title=title,
                                         page=link_path, email=kind, **context).emails


# --- the events -------------------------------------------------------------------------------------

def invoice_saved(invoice: Invoice, before: InvoiceStatus | None) -> list[OutboxEmail]:
    """Staff created or edited an invoice: once it is issued (no longer draft nor void), the customer hears."""
    if invoice.status not in ISSUED_INVOICE or before in ISSUED_INVOICE:
        return []
    return notify("invoice_issued", f"invoice_issued:{invoice.id}", invoice.company, permission="invoices.view",
                  title=invoice.number or "", link_path=invoice_path(invoice), **invoice_context(invoice))


def invoice_path(invoice: Invoice) -> str:
    return portal_notices.path("invoices.detail", invoice_id=invoice.id)


def invoice_context(invoice: Invoice) -> dict:
    """Money and dates are worded in each recipient's language when their email is written (money.Shown)."""
    return {"invoice_number": invoice.number, "total": money_shown(invoice.total, invoice.currency),
            "due_date": day_shown(invoice.due_date) if invoice.due_date else "",
            "balance_due": money_shown(invoice.balance_due, invoice.currency),
            "link": mailer.company_url("invoices.detail", invoice.company_id, invoice_id=invoice.id)}


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
    page = ("invoices.receipt", {"payment_id": payments[0].id}) if len(payments) == 1 else ("invoices.receipts", {})
    return notify("payment_receipt", f"payment_receipt:{event_key}", company, permission="invoices.view",
                  title=", ".join(p.number or "" for p in payments)[:200] + f" ({money(amount, currency)})",
                  link_path=portal_notices.path(page[0], **page[1]), amount=money_shown(amount, currency),
                  receipts=Shown(_receipt_lines, lines), link=mailer.company_url(page[0], company.id, **page[1]))


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
    return notify("order_confirmed", f"order_confirmed:{order.id}", order.company, permission="orders.view",
                  title=order.number or "", link_path=portal_notices.path("orders.detail", order_id=order.id),
                  order_number=order.number, total=money_shown(order.total, order.currency),
                  customer_reference=order.customer_reference or "",
                  link=mailer.company_url("orders.detail", order.company_id, order_id=order.id))


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
    return notify(kind, f"{kind}:{shipment.id}", shipment.company, permission="shipments.view",
                  title=shipment.number or "", link_path=portal_notices.path("shipments.detail", shipment_id=shipment.id),
                  shipment_number=shipment.number,
                  order_number=shipment.order.number if shipment.order is not None else "",
                  carrier=shipment.carrier or "", tracking_number=shipment.tracking_number or "",
                  link=mailer.company_url("shipments.detail", shipment.company_id, shipment_id=shipment.id))
