"""Order approvals: the approvers' queue, their decisions, and the company Admin's approval rules."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.blueprints.shop import bp, ordering
from portal.extensions import db
from portal.models import ApprovalDecision, SalesOrder
from portal.permissions import current_actor, require_permission, scoped
from portal.services import approvals
from portal.services.approvals import ApprovalError


@bp.get("/approvals", endpoint="approvals")
@require_permission("shop.approve")
def approval_queue():
    company = ordering.company()
    return render_template("shop/approvals.html", orders=approvals.queue(company), company=company,
                           may_decide=approvals.may_approve(current_user, company))


@bp.post("/approvals/<int:order_id>", endpoint="approval_decide")
@require_permission("shop.approve")
def decide(order_id: int):
    order = db.one_or_404(scoped(select(SalesOrder), SalesOrder).where(SalesOrder.id == order_id))
    if not approvals.may_approve(current_user, order.company):
        abort(403, description=_("Orders are approved by the customer's own approvers."))
    decision = {"approve": ApprovalDecision.approved, "reject": ApprovalDecision.rejected}.get(
        request.form.get("decision", ""))
    if decision is None:
        abort(400, description="Choose Approve or Reject.")
    try:
        approvals.decide(order, decision, request.form.get("comment", ""), by=current_actor())
    except ApprovalError as error:
        db.session.rollback()
        flash(f"{order.number}: {error}", "error")
        return redirect(url_for("shop.approvals"))
    number = order.number
    db.session.commit()
    flash(_("Order %(number)s is approved. The buyer is emailed.", number=number) if decision.value == "approved"
          else _("Order %(number)s is rejected. The buyer is emailed.", number=number), "success")
    return redirect(url_for("shop.approvals"))


@bp.route("/approvals/rules", methods=["GET", "POST"], endpoint="approval_rules")
@require_permission("shop.approval_rules")
def approval_rules():
    company = ordering.company()
    may_edit = bool(current_user.is_contact)  # a sales rep sees the customer's rules but does not set them
    error = None
    if request.method == "POST":
        if not may_edit:
            abort(403, description=_("The customer's own admin sets its approval rules."))
        raw = request.form.get("approval_above", "").strip().replace(",", ".")
        try:
            above = Decimal(raw) if raw else None
            if above is not None and (not above.is_finite() or above != above.quantize(Decimal("0.01"))):
                raise InvalidOperation
            approvals.set_rules(company, above, request.form.get("approval_for_buyers") == "on", by=current_actor())
        except InvalidOperation:
            error = _("Enter the amount as a number with at most 2 decimals, e.g. 2500, or leave it empty.")
        except ApprovalError as problem:
            error = str(problem)
        if error is None:
            db.session.commit()
            flash(_("The approval rules are saved."), "success")
            return redirect(url_for("shop.approval_rules"))
        db.session.rollback()
    return render_template("shop/approval_rules.html", company=company, may_edit=may_edit, error=error,
                           posted=request.form if request.method == "POST" else None)
