""""Frequently ordered": computed from the company's orders (read-only), and put in the cart."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import settings
from portal.blueprints.purchase_lists import bp
from portal.blueprints.purchase_lists.line_views import report
from portal.blueprints.purchase_lists.list_access import company
from portal.blueprints.shop import ordering
from portal.extensions import db
from portal.permissions import can, current_actor, require_permission
from portal.services import cart, frequent_products, purchase_list_cart
from portal.services.errors import RuleError


def _frequent() -> list[frequent_products.Frequent]:
    return frequent_products.for_company(company(), days=settings.get("purchase_lists.frequent_days"),
                                         limit=settings.get("purchase_lists.frequent_count"))


@bp.get("/frequent")
@require_permission("lists.view")
def frequent():
    lines = _frequent()
    book = cart.price_book(company(), [f.product for f in lines])
    priced = [(f, book.price(f.product.id, f.usual_quantity)) for f in lines]
    return render_template("purchase_lists/frequent.html", priced=priced,
                           days=settings.get("purchase_lists.frequent_days"),
                           may_order=can("lists.use") and can("shop.order") and ordering.cart_open())


@bp.post("/frequent/cart")
@require_permission("lists.use")
def frequent_to_cart():
    if not can("shop.order"):
        abort(403, description=_("Your role does not allow ordering. Ask your company's portal admin."))
    ordering.require_cart_open()
    lines = _frequent()
    if request.form.get("which") == "selected":
        chosen = set(request.form.getlist("product_id"))
        lines = [f for f in lines if str(f.product.id) in chosen]
    try:
        outcome = purchase_list_cart.products_to_cart(current_actor(), company(),
                                                  [(f.product, f.usual_quantity) for f in lines],
                                                  source="frequently ordered")
    except RuleError as error:
        db.session.rollback()
        outcome = purchase_list_cart.CartOutcome(problems=[str(error)])
    db.session.commit()
    report(outcome)
    return redirect(url_for("shop.cart") if outcome.added else url_for("purchase_lists.frequent"))
