"""Money owed and paid: invoices, payments (receipts), credit notes."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup
from sqlalchemy import inspect

from portal.admin_views.base import StaffModelView, field_error, line_inline
from portal.admin_views.documents import DocumentAdmin
from portal.admin_views.filters import OverdueFilter, company_filter
from portal.admin_views.formatting import currency_of
from portal.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
from portal.services import payments
from portal.web import money

FINANCE = "Finance"


def _balance(view, context, model, name):
    text = money(model.balance_due, currency_of(model))
    return Markup(f'{text} <span class="badge badge-danger">overdue</span>') if model.is_overdue else text


class InvoiceAdmin(DocumentAdmin):
    readonly_columns = (*DocumentAdmin.readonly_columns, "amount_paid")
    column_list = ("number", "company", "status", "issue_date", "due_date", "total", "amount_paid", "balance_due")
    column_searchable_list = ("number", "company.name", "notes")
    column_filters = (company_filter(Invoice.company_id), "status", "issue_date", "due_date", OverdueFilter())
    column_sortable_list = (*DocumentAdmin.column_sortable_list, "issue_date", "due_date")
    column_default_sort = [("issue_date", True), ("id", True)]
    column_formatters = {"balance_due": _balance}
    column_labels = {"balance_due": "Balance due", "order": "Sales order"}
    form_columns = ("company", "order", "status", "issue_date", "due_date", "notes")
    form_args = {"due_date": {"description": "Leave empty on a new invoice to use the company's payment terms."},
                 "status": {"description": "Open, partially paid and paid follow the payments recorded under "
                                           "Payments; draft and void are yours to set."}}
    inline_models = (line_inline(InvoiceLine),)

    def on_model_change(self, form, model, is_created):
        if model.due_date is None and model.issue_date is not None:
            model.due_date = model.issue_date + timedelta(days=model.company.payment_terms_days or 0)
        if model.issue_date and model.due_date and model.due_date < model.issue_date:
            field_error(form, "due_date", "The due date cannot be before the issue date.")
        if model.order is not None and model.order.company_id != model.company.id:
            field_error(form, "order", "Choose an order of this invoice's company.")
        super().on_model_change(form, model, is_created)
        _check_paid_status(form, model, is_created)


def _check_paid_status(form, invoice: Invoice, is_created: bool) -> None:
    """The amount paid comes from payments only; open / partially paid / paid follow it."""
    paid, currency = invoice.amount_paid or Decimal(0), currency_of(invoice)
    if paid > invoice.total:
        field_error(form, "status", f"Payments of {money(paid, currency)} are recorded on this invoice, more than "
                                    f"its new total of {money(invoice.total, currency)}: change the payments first.")
    expected = payments.status_for(invoice)
    if expected is None or expected == invoice.status:
        return
    if is_created or form.status.data != form.status.object_data:
        field_error(form, "status", f"With {money(paid, currency)} paid of {money(invoice.total, currency)} this "
                                    f"invoice is {expected.value.replace('_', ' ')}. Record or change a payment "
                                    f"under Payments to change that.")
    invoice.status = expected  # not chosen in this form (the lines changed the total): it follows the payments


class PaymentAdmin(StaffModelView):
    readonly_columns = ("number", "currency")
    column_list = ("number", "company", "invoice", "amount", "method", "reference", "received_date")
    column_searchable_list = ("number", "reference", "company.name", "invoice.number")
    column_filters = (company_filter(Payment.company_id), "method", "received_date")
    column_default_sort = [("received_date", True), ("id", True)]
    form_columns = ("company", "invoice", "amount", "method", "reference", "received_date")

    def on_model_change(self, form, model, is_created):
        if model.invoice is not None and model.invoice.company_id != model.company.id:
            field_error(form, "invoice", "Choose an invoice of this payment's company.")
        if not model.amount or model.amount <= 0:
            field_error(form, "amount", "A payment must be more than zero.")
        if is_created:
            model.currency = model.invoice.currency if model.invoice is not None else model.company.currency
        if model.invoice is not None and model.currency != model.invoice.currency:
            field_error(form, "invoice", f"This invoice is in {model.invoice.currency}, the payment in {model.currency}.")
        old_invoice, old_amount = _before_edit(model, is_created)
        try:
            payments.record_change(old_invoice, old_amount, model.invoice, model.amount)
        except payments.PaymentError as exc:
            field_error(form, "amount", str(exc))
        super().on_model_change(form, model, is_created)

    def on_model_delete(self, model):
        old_invoice, old_amount = _before_edit(model, is_created=False)
        payments.record_change(old_invoice, old_amount, None, None)
        super().on_model_delete(model)


def _before_edit(payment: Payment, is_created: bool) -> tuple[Invoice | None, Decimal | None]:
    """The invoice and amount this payment had before the form changed them."""
    if is_created:
        return None, None
    state = inspect(payment)
    amount = state.attrs.amount.history
    invoice = state.attrs.invoice.history
    old_amount = amount.deleted[0] if amount.deleted else payment.amount
    old_invoice = invoice.deleted[0] if invoice.deleted else payment.invoice
    return old_invoice, old_amount


class CreditNoteAdmin(DocumentAdmin):
    column_list = ("number", "company", "invoice", "status", "reason", "issue_date", "total")
    column_searchable_list = ("number", "reason", "company.name")
    column_filters = (company_filter(CreditNote.company_id), "status", "issue_date")
    column_default_sort = [("issue_date", True), ("id", True)]
    form_columns = ("company", "invoice", "status", "reason", "issue_date")
    inline_models = (line_inline(CreditNoteLine),)

    def on_model_change(self, form, model, is_created):
        if model.invoice is not None and model.invoice.company_id != model.company.id:
            field_error(form, "invoice", "Choose an invoice of this credit note's company.")
        super().on_model_change(form, model, is_created)


def views():
    return [
        InvoiceAdmin(Invoice, "Invoices", FINANCE),
        PaymentAdmin(Payment, "Payments", FINANCE),
        CreditNoteAdmin(CreditNote, "Credit notes", FINANCE),
    ]
