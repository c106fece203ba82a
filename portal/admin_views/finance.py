"""Money owed and paid: invoices, payments (receipts), credit notes."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from flask import flash
from markupsafe import Markup
from wtforms.validators import Optional

from portal.admin_views.base import StaffModelView, line_inline, obey
from portal.admin_views.documents import DocumentAdmin
from portal.admin_views.filters import OverdueFilter, company_filter
from portal.admin_views.formatting import currency_of
from portal.admin_views.payment_requests import PaymentRequestAdmin
from portal.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment, PaymentRequest
from portal.services import (
    credit_notes,
    customer_notices,
    documents,
    invoicing,
    order_charges,
    payments,
    receivables,
)
from portal.web import money

FINANCE = "Finance"


def _balance(view, context, model, name):
    text = money(model.balance_due, currency_of(model))
    overdue = receivables.is_overdue(model)
    return Markup(f'{text} <span class="badge badge-danger">overdue</span>') if overdue else text


class InvoiceAdmin(DocumentAdmin):
    readonly_columns = (*DocumentAdmin.readonly_columns, "amount_paid", "amount_credited")
    column_list = ("number", "company", "status", "issue_date", "due_date", "total", "amount_paid", "amount_credited",
                   "balance_due")
    column_searchable_list = ("number", "company.name", "notes")
    column_filters = (company_filter(Invoice.company_id), "status", "issue_date", "due_date", OverdueFilter())
    column_sortable_list = (*DocumentAdmin.column_sortable_list, "issue_date", "due_date")
    column_default_sort = [("issue_date", True), ("id", True)]
    column_formatters = {"balance_due": _balance}
    column_labels = {"balance_due": "Balance due", "order": "Sales order", "amount_credited": "Credited"}
    form_columns = ("company", "order", "status", "issue_date", "due_date", "notes")
    form_args = {"issue_date": {"description": "Leave empty for today.", "validators": [Optional()]},
                 "due_date": {"description": "Leave empty to use the company's payment terms.",
                              "validators": [Optional()]},
                 "status": {"description": "Open, partially paid and paid follow the payments recorded under "
                                           "Payments and the credit notes under Credit notes; draft and void "
                                           "are yours to set."}}
    inline_models = (line_inline(InvoiceLine),)

    def on_model_change(self, form, model, is_created):
        invoicing.fill_due_date(model)
        with obey(form):
            invoicing.check_dates(model)
            documents.same_company(model)
        if is_created:  # the order's approved extra charges become lines of its next invoice, once
            billed, waiting = order_charges.bill(model)
            if billed:
                flash(f"{len(billed)} extra charge(s) of order {model.order.number} were added as lines.", "info")
            if waiting:
                flash(f"{len(waiting)} extra charge(s) of order {model.order.number} still wait for the "
                      "customer's approval and were not invoiced.", "warning")
        super().on_model_change(form, model, is_created)
        status_chosen = is_created or form.status.data != form.status.object_data
        with obey(form):
            invoicing.check_settlement(model, status_chosen)
        customer_notices.invoice_saved(model, None if is_created else form.status.object_data)

    def on_model_delete(self, model):
        order_charges.release(model)
        super().on_model_delete(model)


class PaymentAdmin(StaffModelView):
    readonly_columns = ("number", "currency")
    column_list = ("number", "company", "invoice", "amount", "method", "reference", "received_date")
    column_searchable_list = ("number", "reference", "company.name", "invoice.number")
    column_filters = (company_filter(Payment.company_id), "method", "received_date")
    column_default_sort = [("received_date", True), ("id", True)]
    form_columns = ("company", "invoice", "amount", "method", "reference", "received_date")

    def on_model_change(self, form, model, is_created):
        with obey(form):
            documents.same_company(model)
            payments.check(model, is_created)
            payments.record_change(*payments.before_edit(model, is_created), model.invoice, model.amount)
        super().on_model_change(form, model, is_created)
        if is_created:
            customer_notices.payments_received([model], f"payment:{model.id}")

    def on_model_delete(self, model):
        payments.record_change(*payments.before_edit(model, is_created=False), None, None)
        super().on_model_delete(model)


class CreditNoteAdmin(DocumentAdmin):
    column_list = ("number", "company", "invoice", "status", "reason", "issue_date", "total")
    column_searchable_list = ("number", "reason", "company.name")
    column_filters = (company_filter(CreditNote.company_id), "status", "issue_date")
    column_default_sort = [("issue_date", True), ("id", True)]
    form_columns = ("company", "invoice", "status", "reason", "issue_date")
    inline_models = (line_inline(CreditNoteLine),)

    def on_model_change(self, form, model, is_created):
        with obey(form):
            documents.same_company(model)
        before = credit_notes.before_edit(model, is_created)  # read before the lines change the total
        super().on_model_change(form, model, is_created)
        with obey(form):
            credit_notes.record_change(*before, model)

    def on_model_delete(self, model):
        credit_notes.record_delete(model)
        super().on_model_delete(model)


def views():
    return [
        InvoiceAdmin(Invoice, "Invoices", FINANCE),
        PaymentAdmin(Payment, "Payments", FINANCE),
        PaymentRequestAdmin(PaymentRequest, "Payment requests", FINANCE),
        CreditNoteAdmin(CreditNote, "Credit notes", FINANCE),
    ]
