"""Extra charges on sales orders (freight, surcharges, waiting time): staff add, change and remove them
here; the rules (only proposed charges change, positive amounts, emailing the customer) are
portal.services.order_charges'. The sales order list links each order to its charges."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_login import current_user

from portal.admin_views.base import StaffModelView, obey
from portal.admin_views.filters import IdEqualFilter, filtered_url
from portal.extensions import db
from portal.models import OrderCharge, SalesOrder
from portal.routing import parse_id
from portal.services import order_charges
from portal.services.errors import RuleError


class OrderChargeAdmin(StaffModelView):
    readonly_columns = ("status", "total", "customer_comment", "decided_dt")
    column_list = ("order", "kind", "description", "amount", "tax_rate", "total", "status", "customer_comment",
                   "decided_by", "decided_dt", "invoice", "created_dt")
    column_searchable_list = ("description", "order.number", "customer_comment")
    column_filters = (IdEqualFilter(OrderCharge.order_id, "Sales order (id)"), "status", "kind", "created_dt")
    column_labels = {"order": "Sales order", "amount": "Amount (excl. tax)", "tax_rate": "Tax %",
                     "total": "Total (incl. tax)", "customer_comment": "Customer's comment",
                     "decided_by": "Decided by", "decided_dt": "Decided"}
    column_descriptions = {"status": "Proposed charges wait for the customer when the company shows charges on "
                                     "the portal; otherwise they are internal and billed as approved."}
    form_columns = ("order", "kind", "description", "amount", "tax_rate")
    form_args = {"description": {"description": "What the customer reads, e.g. \"Pallet delivery to site\"."},
                 "amount": {"description": "Excluding tax, more than zero, at most 2 decimals."}}
    form_ajax_refs = {"order": {"fields": ("number",), "page_size": 20, "placeholder": "Type an order number"}}

    @expose("/for-order/")
    def for_order(self):
        """The charges of one order (?id=): the sales order list's link."""
        order_id = parse_id(request.args.get("id"))
        if order_id is None or db.session.get(SalesOrder, order_id) is None:
            abort(404)
        return redirect(filtered_url(self, "order_id", IdEqualFilter, order_id))

    def on_model_change(self, form, model, is_created):
        with obey(form):
            order_charges.prepare(model, stored_status=None if is_created else model.status,
                                  staff=current_user._get_current_object())
        super().on_model_change(form, model, is_created)

    def after_model_change(self, form, model, is_created):
        if is_created:
            order_charges.added(model)
            db.session.commit()
            if order_charges.shown_to_customer(model.order.company):
                flash("The customer is asked to approve the charge on the order page.", "info")

    def on_model_delete(self, model):
        order_charges.check_removal(model)
        super().on_model_delete(model)

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, RuleError):
            db.session.rollback()
            flash(str(exc), "error")
            return True
        return super().handle_view_exception(exc)
