"""The customer approves or rejects an extra charge on an order (portal.services.order_charges)."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.blueprints.orders import bp
from portal.extensions import db
from portal.models import SalesOrder
from portal.permissions import current_actor, require_permission, scoped
from portal.services import order_charges
from portal.services.order_charges import ChargeError

#: the permission of the roles that may order decides charges too (Admin and Buyer by default)
DECIDE = "shop.order"


@bp.post("/<int:order_id>/charges/<int:charge_id>", endpoint="charge_decide")
@require_permission(DECIDE)
def decide(order_id: int, charge_id: int):
    order = db.one_or_404(scoped(select(SalesOrder), SalesOrder).where(SalesOrder.id == order_id))
    charge = order_charges.find(order, charge_id)
    if charge is None:
        abort(404)
    approve = {"approve": True, "reject": False}.get(request.form.get("decision", ""))
    if approve is None:
        abort(400, description=_("Choose Approve or Reject."))
    back = url_for("orders.detail", order_id=order.id, _anchor="charges")
    try:
        order_charges.decide(charge, approve, request.form.get("comment", ""), by=current_actor())
    except ChargeError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    description = charge.description
    db.session.commit()
    flash(_("You approved the charge “%(charge)s”. We have been notified.", charge=description) if approve
          else _("You rejected the charge “%(charge)s”. We have been notified.", charge=description), "success")
    return redirect(back)
