"""Buying from suppliers: purchase orders and supplier bills."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from sqlalchemy import select

from portal.admin_views.base import StaffModelView, field_error, line_inline, obey
from portal.admin_views.documents import TOTALS, DocumentAdmin
from portal.admin_views.filters import company_filter
from portal.extensions import db
from portal.models import Company, PurchaseOrder, PurchaseOrderLine, SupplierBill
from portal.services import documents

PURCHASING = "Purchasing"


def suppliers():
    query = select(Company).where(Company.is_supplier.is_(True)).order_by(Company.name)
    return db.session.execute(query).scalars()


SUPPLIER_ARGS = {"company": {"query_factory": suppliers, "label": "Supplier"}}


class PurchaseOrderAdmin(DocumentAdmin):
    column_list = ("number", "company", "status", "order_date", "expected_date", "total", "created_dt")
    column_searchable_list = ("number", "company.name", "notes")
    column_filters = (company_filter(PurchaseOrder.company_id, suppliers=True, name="Supplier"), "status",
                      "order_date", "expected_date")
    column_labels = {"company": "Supplier", "expected_date": "Expected"}
    form_columns = ("company", "status", "order_date", "expected_date", "notes")
    form_args = SUPPLIER_ARGS
    inline_models = (line_inline(PurchaseOrderLine),)


class SupplierBillAdmin(StaffModelView):
    """A bill received from a supplier: staff type its amounts; the total is subtotal plus tax."""

    readonly_columns = ("number", "currency", "total")
    currency_from_company = True
    column_list = ("number", "supplier_reference", "company", "purchase_order", "status", "bill_date", "due_date",
                   "total", "amount_paid")
    column_searchable_list = ("number", "supplier_reference", "company.name")
    column_filters = (company_filter(SupplierBill.company_id, suppliers=True, name="Supplier"), "status",
                      "bill_date", "due_date")
    column_default_sort = [("bill_date", True), ("id", True)]
    column_labels = {"company": "Supplier", "supplier_reference": "Supplier's invoice no.", "tax_total": "Tax"}
    form_columns = ("company", "supplier_reference", "purchase_order", *TOTALS[:2], "status", "bill_date",
                    "due_date", "amount_paid")
    form_args = SUPPLIER_ARGS

    def on_model_change(self, form, model, is_created):
        with obey(form):
            documents.same_company(model)
        model.total = (model.subtotal or 0) + (model.tax_total or 0)
        if model.amount_paid and model.amount_paid > model.total:
            field_error(form, "amount_paid", "The amount paid cannot exceed the bill total.")
        super().on_model_change(form, model, is_created)


def views():
    return [
        PurchaseOrderAdmin(PurchaseOrder, "Purchase orders", PURCHASING),
        SupplierBillAdmin(SupplierBill, "Supplier bills", PURCHASING),
    ]
