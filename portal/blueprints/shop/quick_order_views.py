"""Quick order (paste "SKU quantity" lines or upload a CSV) and reorder a past order into the cart."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.blueprints.shop import bp, ordering
from portal.extensions import db
from portal.models import SalesOrder
from portal.permissions import current_actor, require_permission, scoped
from portal.services import quick_order
from portal.services.errors import RuleError


@bp.route("/quick-order", methods=["GET", "POST"], endpoint="quick_order")
@require_permission("shop.order")
def quick_order_page():
    outcome, error, text = None, None, ""
    if request.method == "POST":
        ordering.require_cart_open()
        text = request.form.get("lines", "")
        upload = request.files.get("file")
        try:
            if upload is not None and upload.filename:
                requests = quick_order.parse_csv(upload.read(quick_order.MAX_FILE_BYTES + 1))
            else:
                requests = quick_order.parse_text(text)
            outcome = quick_order.add_to_cart(current_actor(), ordering.company(), requests)
        except RuleError as problem:  # the paste or file as a whole; or the cart changed elsewhere meanwhile
            db.session.rollback()
            error, outcome = str(problem), None
        else:
            db.session.commit()
            if outcome.added and not outcome.problems:
                flash(_("%(added)s product(s) added to your cart.", added=len(outcome.added)), "success")
                return redirect(url_for("shop.cart"))
            # Only the lines to correct stay in the box: sending it again must not add the good ones twice.
            bad = {line_no for line_no, _problem in outcome.problems}
            text = "\n".join(line for n, line in enumerate(text.splitlines(), start=1) if n in bad)
    return render_template("shop/quick_order.html", outcome=outcome, error=error, text=text,
                           cart_open=ordering.cart_open(), max_lines=quick_order.MAX_LINES), 200 if not error else 400



@bp.post("/reorder/<int:order_id>")
@require_permission("shop.order")
def reorder(order_id: int):
    order = db.one_or_404(scoped(select(SalesOrder), SalesOrder).where(SalesOrder.id == order_id)
                          .options(selectinload(SalesOrder.lines)))
    ordering.require_cart_open()
    try:
        outcome = quick_order.reorder(current_actor(), ordering.company(), order)
    except RuleError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("shop.cart"))
    db.session.commit()
    if outcome.added:
        flash(_("%(added)s product(s) of order %(number)s are in your cart at today's prices.",
                added=len(outcome.added), number=order.number), "success")
    for _line, problem in outcome.problems:
        flash(_("Not added: %(problem)s", problem=problem), "error")
    return redirect(url_for("shop.cart"))
