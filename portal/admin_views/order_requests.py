"""What customers ask of staff from the shop: orders to cancel, orders over their credit to approve.

Both are read-only lists of sales orders (staff edit the order itself on the Sales orders screen);
credit approvals are decided with the list actions, through the approvals service.
"""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from flask import flash
from flask_admin.actions import action
from sqlalchemy import select

from portal.admin_views.base import ReadOnlyModelView, selected_ids
from portal.admin_views.filters import company_filter
from portal.admin_views.sales import SALES, excerpt
from portal.extensions import db
from portal.models import ApprovalDecision, OrderStatus, SalesOrder
from portal.permissions import current_actor
from portal.services import approvals
from portal.services.errors import RuleError


class CancelRequestAdmin(ReadOnlyModelView):
    """Orders whose customer asked to cancel them (staff cancel or keep them on the Sales orders screen)."""

    column_list = ("number", "company", "status", "cancel_requested_dt", "cancel_reason", "total", "placed_dt")
    column_labels = {"cancel_requested_dt": "Asked", "cancel_reason": "Reason", "placed_dt": "Placed"}
    column_filters = (company_filter(SalesOrder.company_id, suppliers=False), "status", "cancel_requested_dt")
    column_searchable_list = ("number", "company.name", "cancel_reason")
    column_formatters = {"cancel_reason": excerpt}
    column_default_sort = [("cancel_requested_dt", True), ("id", True)]

    def get_query(self):
        return super().get_query().where(SalesOrder.cancel_requested_dt.is_not(None))

    def get_count_query(self):
        return super().get_count_query().where(SalesOrder.cancel_requested_dt.is_not(None))


class CreditApprovalAdmin(ReadOnlyModelView):
    """Orders waiting because they exceed the customer's available credit: approve or reject them."""

    column_list = ("number", "company", "placed_by", "total", "placed_dt")
    column_labels = {"placed_dt": "Placed"}
    column_filters = (company_filter(SalesOrder.company_id, suppliers=False), "placed_dt")
    column_searchable_list = ("number", "company.name")
    can_export = False

    def _waiting(self, query):
        return query.where(SalesOrder.status == OrderStatus.pending_approval,
                           SalesOrder.approval_reason == approvals.CREDIT)

    def get_query(self):
        return self._waiting(super().get_query())

    def get_count_query(self):
        return self._waiting(super().get_count_query())

    @action("approve", "Approve", "Approve the selected orders although they exceed the customer's credit?")
    def action_approve(self, ids):
        self._decide(ids, ApprovalDecision.approved, "Approved by us although it exceeds your available credit.")

    @action("reject", "Reject", "Reject the selected orders? The buyers are emailed.")
    def action_reject(self, ids):
        self._decide(ids, ApprovalDecision.rejected, "It exceeds your available credit. Pay open invoices or "
                                                     "contact us about your credit limit, then order again.")

    def _decide(self, ids, decision: ApprovalDecision, comment: str) -> None:
        orders = db.session.execute(select(SalesOrder).where(SalesOrder.id.in_(selected_ids(ids)))).scalars().all()
        done = []
        for order in orders:
            try:
                approvals.decide(order, decision, comment, by=current_actor(), as_staff=True)
            except RuleError as error:
                flash(f"{order.number}: {error}", "error")
                continue
            done.append(order.number)
        db.session.commit()
        if done:
            flash(f"{decision.value.capitalize()}: {', '.join(done)}. The buyers are emailed.", "success")


def ordering_views():
    """Declared by the shop feature."""
    return [
        CreditApprovalAdmin(SalesOrder, "Credit approvals", SALES, slug="credit_approval"),
        CancelRequestAdmin(SalesOrder, "Cancel requests", SALES, slug="cancel_request"),
    ]
