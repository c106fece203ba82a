"""Payments received move an invoice's paid amount and status."""
from __future__ import annotations

from decimal import Decimal

from portal.models import Invoice, InvoiceStatus

#: statuses a payment never changes (staff decide these by hand)
_FIXED = (InvoiceStatus.draft, InvoiceStatus.void)


class PaymentError(ValueError):
    pass


def status_for(invoice: Invoice) -> InvoiceStatus | None:
    """open / partially paid / paid from the amount paid so far; None for draft and void."""
    if invoice.status in _FIXED:
        return None
    paid = invoice.amount_paid or Decimal(0)
    if paid > 0 and paid >= (invoice.total or Decimal(0)):
        return InvoiceStatus.paid
    if paid > 0:
        return InvoiceStatus.partially_paid
    return InvoiceStatus.open


def settle_status(invoice: Invoice) -> None:
    """Set open / partially paid / paid from the amount paid so far (draft and void stay)."""
    status = status_for(invoice)
    if status is not None:
        invoice.status = status


def move(invoice: Invoice | None, amount: Decimal) -> None:
    """Add (or with a negative amount take back) a payment on an invoice."""
    if invoice is None or not amount:
        return
    paid = (invoice.amount_paid or Decimal(0)) + amount
    if paid > (invoice.total or Decimal(0)):
        raise PaymentError(f"This is more than {invoice.number} still owes ({invoice.balance_due}).")
    if paid < 0:
        raise PaymentError(f"{invoice.number} would be left with a negative amount paid.")
    invoice.amount_paid = paid
    settle_status(invoice)


def record_change(old_invoice: Invoice | None, old_amount: Decimal | None,
                  new_invoice: Invoice | None, new_amount: Decimal | None) -> None:
    """A payment was created, edited or deleted: take the old amount off the old invoice and put
    the new amount on the new one (either may be None)."""
    move(old_invoice, -(old_amount or Decimal(0)))
    move(new_invoice, new_amount or Decimal(0))
