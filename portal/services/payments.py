"""Payments received: the rules for recording one, and the amount paid they move on an invoice.

The invoice's status then follows what payments and credit notes cover (receivables.settle).
Functions change the objects in the current session: the caller commits.
"""
from __future__ import annotations

from decimal import Decimal

from portal.models import Invoice, Payment
from portal.services import documents, receivables
from portal.services.errors import RuleError


class PaymentError(RuleError):
    """The payment was refused; the message is for staff, `field` names the form field."""

    default_field = "amount"


def check(payment: Payment, is_created: bool) -> None:
    """A payment is more than zero and in its invoice's currency (a new one takes that currency,
    or its company's without an invoice)."""
    if not payment.amount or payment.amount <= 0:
        raise PaymentError("A payment must be more than zero.", field="amount")
    if is_created:
        payment.currency = payment.invoice.currency if payment.invoice is not None else payment.company.currency
    if payment.invoice is not None and payment.currency != payment.invoice.currency:
        raise PaymentError(f"This invoice is in {payment.invoice.currency}, the payment in {payment.currency}.",
                           field="invoice")


def before_edit(payment: Payment, is_created: bool) -> tuple[Invoice | None, Decimal | None]:
    """The invoice and amount the payment had before this change (None, None for a new one)."""
    if is_created:
        return None, None
    return documents.value_before(payment, "invoice"), documents.value_before(payment, "amount")


def move(invoice: Invoice | None, amount: Decimal) -> None:
    """Add (or with a negative amount take back) a payment on an invoice."""
    if invoice is None or not amount:
        return
    paid = (invoice.amount_paid or Decimal(0)) + amount
    if paid + (invoice.amount_credited or Decimal(0)) > (invoice.total or Decimal(0)):
        raise PaymentError(f"This is more than {invoice.number} still owes ({invoice.balance_due}).")
    if paid < 0:
        raise PaymentError(f"{invoice.number} would be left with a negative amount paid.")
    invoice.amount_paid = paid
    receivables.settle(invoice)


def record_change(old_invoice: Invoice | None, old_amount: Decimal | None,
                  new_invoice: Invoice | None, new_amount: Decimal | None) -> None:
    """A payment was created, edited or deleted: take the old amount off the old invoice and put
    the new amount on the new one (either may be None)."""
    move(old_invoice, -(old_amount or Decimal(0)))
    move(new_invoice, new_amount or Decimal(0))
