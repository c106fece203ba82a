"""A supplier's answers on a purchase order: acknowledge, propose a delivery date, add a note.

The rules are portal.services.purchase_order_responses'; these views parse, call and render.
"""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from portal.blueprints.supplier import bp
from portal.blueprints.supplier.views import purchase_order_or_404, purchase_order_page
from portal.extensions import db
from portal.permissions import current_actor, require_permission
from portal.services import purchase_order_responses as responses


def _back(order_id: int, anchor: str = ""):
    return redirect(url_for("supplier.purchase_order", purchase_order_id=order_id) + anchor)


def _refused(order_id: int, error: responses.ResponseError):
    """The page again with the message beside its field (or at the top), what was typed kept; status 400."""
    db.session.rollback()
    order = purchase_order_or_404(order_id)
    return purchase_order_page(order, errors={error.field or "page": f"{error} {_('Nothing was changed.')}"},
                               form=request.form, status=400)


@bp.route("/purchase-orders/<int:purchase_order_id>/acknowledge", methods=["POST"])
@require_permission("supplier.respond", audience="supplier")
def acknowledge(purchase_order_id: int):
    order = purchase_order_or_404(purchase_order_id)
    try:
        done = responses.acknowledge(order, current_actor())
    except responses.ResponseError as error:
        return _refused(purchase_order_id, error)
    db.session.commit()
    if done:
        flash(_("Thank you: purchase order %(number)s is acknowledged.", number=order.number), "success")
    else:
        flash(_("Purchase order %(number)s was acknowledged already.", number=order.number), "info")
    return _back(order.id)


@bp.route("/purchase-orders/<int:purchase_order_id>/propose-date", methods=["POST"])
@require_permission("supplier.respond", audience="supplier")
def propose_date(purchase_order_id: int):
    order = purchase_order_or_404(purchase_order_id)
    try:
        responses.propose_date(order, request.form.get("date"), request.form.get("reason"), current_actor())
    except responses.ResponseError as error:
        return _refused(purchase_order_id, error)
    db.session.commit()
    flash(_("Your proposed delivery date is sent. We will email you our answer."), "success")
    return _back(order.id, "#delivery-date")


@bp.route("/purchase-orders/<int:purchase_order_id>/notes", methods=["POST"])
@require_permission("supplier.respond", audience="supplier")
def add_note(purchase_order_id: int):
    order = purchase_order_or_404(purchase_order_id)
    try:
        responses.add_note(order, request.form.get("body"), current_actor())
    except responses.ResponseError as error:
        return _refused(purchase_order_id, error)
    db.session.commit()
    flash(_("Your note is added. Our buyers are told."), "success")
    return _back(order.id, "#notes")
