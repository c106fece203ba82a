"""Money owed and paid: invoices, payments (receipts), credit notes."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from datetime import timedelta

from markupsafe import Markup

from portal.admin_views.base import StaffModelView, field_error, line_inline
from portal.admin_views.documents import DocumentAdmin
from portal.admin_views.filters import OverdueFilter, company_filter
from portal.admin_views.formatting import currency_of
from portal.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
from portal.web import money

FINANCE = "Finance"


def _balance(view, context, model, name):
    text = money(model.balance_due, currency_of(model))
    return Markup(f'{text} <span class="badge badge-danger">overdue</span>') if model.is_overdue else text


class InvoiceAdmin(DocumentAdmin):
    column_list = ("number", "company", "status", "issue_date", "due_date", "total", "amount_paid", "balance_due")
    column_searchable_list = ("number", "company.name", "notes")
    column_filters = (company_filter(Invoice.company_id), "status", "issue_date", "due_date", OverdueFilter())
    column_sortable_list = (*DocumentAdmin.column_sortable_list, "issue_date", "due_date")
    column_default_sort = [("issue_date", True), ("id", True)]
    column_formatters = {"balance_due": _balance}
    column_labels = {"balance_due": "Balance due", "order": "Sales order"}
    form_columns = ("company", "order", "status", "issue_date", "due_date", "amount_paid", "notes")
    form_args = {"due_date": {"description": "Leave empty on a new invoice to use the company's payment terms."}}
    inline_models = (line_inline(InvoiceLine),)

    def on_model_change(self, form, model, is_created):
        if model.due_date is None and model.issue_date is not None:
            model.due_date = model.issue_date + timedelta(days=model.company.payment_terms_days or 0)
        if model.issue_date and model.due_date and model.due_date < model.issue_date:
            field_error(form, "due_date", "The due date cannot be before the issue date.")
        if model.order is not None and model.order.company_id != model.company.id:
            field_error(form, "order", "Choose an order of this invoice's company.")
        super().on_model_change(form, model, is_created)
        if model.amount_paid and model.amount_paid > model.total:
            field_error(form, "amount_paid", "The amount paid cannot exceed the invoice total.")


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
        super().on_model_change(form, model, is_created)


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
