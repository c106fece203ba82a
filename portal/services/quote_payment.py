"""What the client of an accepted quote is told about its payment while the finance approval gate is on.

The rule, from the sales order created when the quote was accepted and the invoices issued for it
(drafts and void invoices count for nothing, see services.receivables):
- "paid": at least one invoice was issued for the order and none of them is still owed;
- "pending": an invoice for the order is issued and still owed (open or partially paid);
- "under review": nothing is invoiced yet — finance reviews the accepted quote before billing.
No banner without the gate, or for a quote that is not accepted.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal import settings
from portal.extensions import db
from portal.models import Invoice, Quote, SalesOrder
from portal.services import receivables
from portal.services.quote_shares import ACCEPTED

PENDING, PAID, UNDER_REVIEW = "pending", "paid", "under_review"
MESSAGES = {
    UNDER_REVIEW: "Payment: under review. Our finance team is reviewing your accepted quote; the invoice follows.",
    PENDING: "Payment: pending. Your invoice is issued and waiting for payment.",
    PAID: "Payment: paid. Thank you, we have received your payment.",
}


@dataclass(frozen=True)
class PaymentStatus:
    state: str
    #: the invoices it was read from (numbers), for the banner
    invoices: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        return MESSAGES[self.state]


def payment_status(quote: Quote) -> PaymentStatus | None:
    """The banner's status (see the module docstring), or None when no banner is shown."""
    if not settings.get("quotations.finance_gate") or quote.status not in ACCEPTED:
        return None
    invoices = list(db.session.execute(
        select(Invoice).join(SalesOrder, SalesOrder.id == Invoice.order_id)
        .where(SalesOrder.quote_id == quote.id, SalesOrder.company_id == quote.company_id,
               Invoice.status.in_(receivables.ISSUED_INVOICE))
        .order_by(Invoice.id)).scalars())
    numbers = tuple(invoice.number for invoice in invoices)
    if not invoices:
        return PaymentStatus(UNDER_REVIEW)
    if any(receivables.is_open(invoice) for invoice in invoices):
        return PaymentStatus(PENDING, numbers)
    return PaymentStatus(PAID, numbers)
