"""Writing an invoice in the back office: its due date, and a status that follows the money.

The amount paid comes from payments and the amount credited from credit notes; open, partially
paid and paid follow them (receivables.settlement_status). Draft and void are staff's to set.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from portal.models import Invoice
from portal.money import money
from portal.services import clock, receivables
from portal.services.errors import RuleError


class InvoiceError(RuleError):
    """The invoice was refused; the message is for staff, `field` names the form field."""


def fill_due_date(invoice: Invoice) -> None:
    """An invoice without an issue date is issued today; one without a due date is due after its
    company's payment terms."""
    if invoice.issue_date is None:
        invoice.issue_date = clock.today()
    if invoice.due_date is None:
        terms = invoice.company.payment_terms_days if invoice.company is not None else 0
        invoice.due_date = invoice.issue_date + timedelta(days=terms or 0)


def check_dates(invoice: Invoice) -> None:
    if invoice.issue_date and invoice.due_date and invoice.due_date < invoice.issue_date:
        raise InvoiceError("The due date cannot be before the issue date.", field="due_date")


def check_settlement(invoice: Invoice, status_chosen: bool) -> None:
    """After its total is (re)computed: payments and credit notes must fit in it, and open / partially
    paid / paid follow what they cover. A status staff chose that disagrees is refused
    (`status_chosen`); otherwise (the lines changed the total) the status is set to follow."""
    paid, credited = invoice.amount_paid or Decimal(0), invoice.amount_credited or Decimal(0)
    total = invoice.total or Decimal(0)
    currency = invoice.currency or (invoice.company.currency if invoice.company is not None else "EUR")
    if paid + credited > total:
        recorded, fix = f"Payments of {money(paid, currency)}", "the payments"
        if credited:
            recorded, fix = f"{recorded} and credit notes of {money(credited, currency)}", "them"
        raise InvoiceError(f"{recorded} are recorded on this invoice, more than its new total of "
                           f"{money(total, currency)}: change {fix} first.", field="status")
    expected = receivables.settlement_status(invoice)
    if expected is None or expected == invoice.status:
        return
    if status_chosen:
        covered, where = f"{money(paid, currency)} paid", "a payment under Payments"
        if credited:
            covered = f"{covered} and {money(credited, currency)} credited"
            where = f"{where} or a credit note under Credit notes"
        raise InvoiceError(f"With {covered} of {money(total, currency)} this invoice is "
                           f"{expected.value.replace('_', ' ')}. Record or change {where} to change that.",
                           field="status")
    invoice.status = expected
