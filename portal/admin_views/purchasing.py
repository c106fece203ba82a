"""Buying from suppliers: purchase orders (with the supplier's acknowledgement, proposed delivery dates and
notes, and staff's answer to a proposal) and supplier bills.

The rules of the answers are portal.services.purchase_order_responses'; this screen only adapts the forms.
"""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from sqlalchemy import select

from portal.admin_views.base import StaffModelView, field_error, line_inline, obey
from portal.admin_views.documents import TOTALS, DocumentAdmin
from portal.admin_views.filters import company_filter
from portal.extensions import db
from portal.models import Company, ProposalStatus, PurchaseOrder, PurchaseOrderLine, SupplierBill
from portal.routing import parse_id
from portal.services import documents
from portal.services import purchase_order_responses as responses

PURCHASING = "Purchasing"


def suppliers():
    query = select(Company).where(Company.is_supplier.is_(True)).order_by(Company.name)
    return db.session.execute(query).scalars()


SUPPLIER_ARGS = {"company": {"query_factory": suppliers, "label": "Supplier"}}


class PurchaseOrderAdmin(DocumentAdmin):
    column_list = ("number", "company", "status", "order_date", "expected_date", "acknowledged_dt", "total",
                   "created_dt")
    column_searchable_list = ("number", "company.name", "notes")
    column_filters = (company_filter(PurchaseOrder.company_id, suppliers=True, name="Supplier"), "status",
                      "order_date", "expected_date")
    form_columns = ("company", "status", "order_date", "expected_date", "notes")
    form_args = SUPPLIER_ARGS
    inline_models = (line_inline(PurchaseOrderLine),)
    edit_template = "admin/purchase_order_edit.html"
    column_labels = {"company": "Supplier", "expected_date": "Expected", "acknowledged_dt": "Acknowledged"}

    def pending_proposal(self, order: PurchaseOrder):
        """For the edit page's panel of the supplier's answers."""
        return responses.pending_proposal(order)

    def answered_proposals(self, order: PurchaseOrder) -> list:
        return [p for p in order.date_proposals if p.status != ProposalStatus.pending]

    def _order(self) -> PurchaseOrder:
        order_id = parse_id(request.args.get("id"))
        found = db.session.get(PurchaseOrder, order_id) if order_id else None
        if found is None:
            abort(404)
        return found

    def _answer(self, action, done: str):
        order = self._order()
        try:
            action(order)
        except responses.ResponseError as exc:
            db.session.rollback()
            flash(f"{exc} Nothing was changed.", "error")
        else:
            db.session.commit()
            flash(done, "success")
        return redirect(url_for(".edit_view", id=order.id) + "#supplier-answers")

    @expose("/proposal/accept/", methods=("POST",))
    def accept_proposal(self):
        staff = current_user._get_current_object()
        return self._answer(lambda order: responses.accept_proposal(
            order, parse_id(request.form.get("proposal")), request.form.get("proposed_date"), staff),
            "Proposed date accepted: it is the expected date now, and the supplier is emailed.")

    @expose("/proposal/decline/", methods=("POST",))
    def decline_proposal(self):
        staff = current_user._get_current_object()
        return self._answer(lambda order: responses.decline_proposal(
            order, parse_id(request.form.get("proposal")), request.form.get("proposed_date"),
            request.form.get("answer"), staff),
            "Proposed date declined: the expected date stays, and the supplier is emailed.")


class SupplierBillAdmin(StaffModelView):
    """A bill received from a supplier: staff type its amounts; the total is subtotal plus tax."""

    readonly_columns = ("number", "currency", "total")
    currency_from_company = True
    column_list = ("number", "supplier_reference", "company", "purchase_order", "status", "bill_date", "due_date",
                   "total", "amount_paid", "paid_date")
    column_searchable_list = ("number", "supplier_reference", "company.name")
    column_filters = (company_filter(SupplierBill.company_id, suppliers=True, name="Supplier"), "status",
                      "bill_date", "due_date")
    column_default_sort = [("bill_date", True), ("id", True)]
    column_labels = {"company": "Supplier", "supplier_reference": "Supplier's invoice no.", "tax_total": "Tax"}
    form_columns = ("company", "supplier_reference", "purchase_order", *TOTALS[:2], "status", "bill_date",
                    "due_date", "amount_paid", "paid_date")
    form_args = SUPPLIER_ARGS

    def on_model_change(self, form, model, is_created):
        with obey(form):
            documents.same_company(model)
        model.total = (model.subtotal or 0) + (model.tax_total or 0)
        responses.settle_paid_date(model)
        if model.amount_paid and model.amount_paid > model.total:
            field_error(form, "amount_paid", "The amount paid cannot exceed the bill total.")
        super().on_model_change(form, model, is_created)


def views():
    return [
        PurchaseOrderAdmin(PurchaseOrder, "Purchase orders", PURCHASING),
        SupplierBillAdmin(SupplierBill, "Supplier bills", PURCHASING),
    ]
