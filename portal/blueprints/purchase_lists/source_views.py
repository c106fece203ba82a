"""Adding to a list from elsewhere: a product (the catalog includes purchase_lists/_add_to_list.html), the
cart, and a past order. Each form chooses an existing list the person may change, or names a new one."""
from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.blueprints.purchase_lists import bp
from portal.blueprints.purchase_lists.list_access import back_to, company, may_use, refuse
from portal.extensions import db
from portal.models import SalesOrder
from portal.permissions import can, current_actor, require_permission, scoped
from portal.services import cart, order_quantities, purchase_lists
from portal.services.errors import RuleError


def _target():
    return purchase_lists.target(current_actor(), company(), request.form.get("list_id"),
                                 request.form.get("new_name"), may_use=may_use())


def _done(added: purchase_lists.Added, what):
    db.session.commit()
    plist = added.plist
    link = url_for("purchase_lists.detail", list_id=plist.id)
    if added.added:
        flash(what(plist.name), "success")
    for problem in added.left_out:
        flash(_("Not added: %(problem)s", problem=problem), "error")
    return link


def _add(build, what, on_error: str):
    """Run an add: 404 for what the person may not see, 403 for a list they may not change, the form's
    mistakes as a message on the page they came from."""
    try:
        added = build()
    except (purchase_lists.ListNotFound, cart.NotVisible):
        db.session.rollback()
        abort(404)
    except purchase_lists.ListLocked as error:
        db.session.rollback()
        refuse(error)
    except RuleError as error:
        db.session.rollback()
        flash(str(error), "error")
        return back_to(on_error)
    return back_to(_done(added, what))


@bp.post("/add")
@require_permission("lists.use")
def add_product():
    """From a product page or listing: one product, a quantity and an optional note."""
    def build():
        quantity = order_quantities.parse(request.form.get("quantity", "1"))
        return purchase_lists.add_product(current_actor(), company(), _target(), request.form.get("product_id"),
                                          quantity, request.form.get("note", ""))

    return _add(build, lambda name: _("The product is on the list “%(list)s”.", list=name),
                url_for("purchase_lists.index"))


@bp.post("/from-cart")
@require_permission("lists.use")
def add_cart():
    """Everything in the person's cart that can still be ordered, with the cart's quantities."""
    if not can("shop.order"):
        abort(403, description=_("Your role does not use a cart. Ask your company's portal admin."))

    def build():
        current = cart.load(current_actor(), company())
        wanted = [(line.product, line.quantity) for line in current.lines if line.visible]
        if not wanted:
            raise purchase_lists.ListError(_("Your cart has nothing to put on a list."))
        return purchase_lists.add_products(current_actor(), _target(), wanted)

    return _add(build, lambda name: _("The products of your cart are on the list “%(list)s”.", list=name),
                url_for("shop.cart"))


@bp.post("/from-order/<int:order_id>")
@require_permission("lists.use")
def add_order(order_id: int):
    """A past order's products with its quantities; what the company may no longer see is reported."""
    order = db.one_or_404(scoped(select(SalesOrder), SalesOrder).where(SalesOrder.id == order_id)
                          .options(selectinload(SalesOrder.lines)))
    if not can("orders.view"):
        abort(403, description=_("Your role does not show the company's orders."))

    def build():
        visible = cart.visible_products(company(), [ln.product_id for ln in order.lines if ln.product_id])
        wanted, missing = [], []
        for line in order.lines:
            product = visible.get(line.product_id) if line.product_id is not None else None
            if product is None:
                missing.append(f"{line.description}: no longer available.")
            else:
                wanted.append((product, line.quantity))
        if not wanted:
            raise purchase_lists.ListError(_("None of this order's products can be ordered any more."))
        added = purchase_lists.add_products(current_actor(), _target(), wanted)
        added.left_out[:0] = missing
        return added

    return _add(build, lambda name: _("The products of order %(number)s are on the list “%(list)s”.",
                                      number=order.number, list=name),
                url_for("orders.detail", order_id=order.id))
