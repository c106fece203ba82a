"""The cart: add (the catalog's product pages post here), change, remove, request a quote."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.blueprints.shop import bp, ordering
from portal.extensions import db
from portal.permissions import can, current_actor, require_permission
from portal.services import cart, order_quantities, quote_requests
from portal.services.errors import RuleError
from portal.services.redirects import safe_next
from portal.settings import is_enabled


def _back(default_endpoint: str = "shop.cart"):
    return redirect(safe_next(request.form.get("next")) or url_for(default_endpoint))


@bp.get("/cart", endpoint="cart")
@require_permission("shop.order")
def cart_page():
    current = cart.load(current_actor(), ordering.company())
    return render_template("shop/cart.html", cart=current, orders_allowed=ordering.orders_allowed(),
                           quotes_allowed=ordering.quotes_allowed() and can("shop.quote"),
                           cart_open=ordering.cart_open())


def _change(change):
    """Run one change of the cart and save it: a product the user may not see is 404; a broken rule is
    flashed and nothing is saved (None)."""
    try:
        result = change()
    except cart.NotVisible:
        db.session.rollback()
        abort(404)
    except RuleError as error:
        db.session.rollback()
        flash(str(error), "error")
        return None
    db.session.commit()
    return result


@bp.post("/cart/add")
@require_permission("shop.order")
def cart_add():
    ordering.require_cart_open()
    actor, company = current_actor(), ordering.company()

    def add():
        quantity = order_quantities.parse(request.form.get("quantity", "1"))
        item = cart.add(actor, company, request.form.get("product_id"), quantity)
        return item.product.name, quantity

    added = _change(add)
    if added is not None:
        name, quantity = added
        flash(_("%(name)s is in your cart (%(quantity)s).", name=name, quantity=f"{quantity.normalize():f}"), "success")
    return _back()


@bp.post("/cart/update")
@require_permission("shop.order")
def cart_update():
    ordering.require_cart_open()
    actor, company = current_actor(), ordering.company()
    changed = _change(lambda: cart.set_quantity(actor, company, request.form.get("product_id"),
                                                order_quantities.parse(request.form.get("quantity", ""))))
    if changed is not None:
        flash(_("The quantity is changed."), "success")
    return redirect(url_for("shop.cart"))


@bp.post("/cart/remove")
@require_permission("shop.order")
def cart_remove():
    if not cart.remove(current_actor(), ordering.company(), request.form.get("product_id")):
        abort(404)
    db.session.commit()
    flash(_("The line is removed from your cart."), "success")
    return redirect(url_for("shop.cart"))


@bp.post("/cart/quote")
@require_permission("shop.quote")
def request_quote():
    if not ordering.quotes_allowed():
        abort(403, description=_("Quote requests are switched off at the moment. Contact us for a quote."))
    try:
        quote = quote_requests.request_quote(current_actor(), ordering.company(), request.form.get("note", ""))
    except RuleError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("shop.cart"))
    db.session.commit()
    flash(_("Your quote request is sent. We will price it and send you the quote."), "success")
    if is_enabled("quotations") and can("quotes.view"):
        return redirect(url_for("quotations.detail", quote_id=quote.id))
    return redirect(url_for("shop.cart"))
