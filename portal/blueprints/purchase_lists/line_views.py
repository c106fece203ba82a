"""A list's lines, all on one form (no script needed, no nested forms): save quantities and notes, move or
remove a line, put all or the ticked lines in the cart. The pressed button says what to do."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from portal.blueprints.purchase_lists import bp
from portal.blueprints.purchase_lists.list_access import company, list_url, open_list, refuse
from portal.blueprints.purchase_lists.list_views import detail
from portal.blueprints.shop import ordering
from portal.extensions import db
from portal.permissions import can, current_actor, require_permission
from portal.services import order_quantities, purchase_list_cart, purchase_lists
from portal.services.errors import RuleError


def report(outcome: purchase_list_cart.CartOutcome) -> None:
    """Flash what went into the cart and, by name, what did not."""
    if outcome.added:
        flash(_("%(added)s product(s) are in your cart at today's prices.", added=len(outcome.added)), "success")
    for problem in outcome.problems:
        flash(_("Not added: %(problem)s", problem=problem), "error")
    if not outcome.added and not outcome.problems:
        flash(_("Tick the lines to put in your cart."), "error")


def _changes(form) -> tuple[dict[int, tuple], dict[str, str]]:
    """The typed quantity and note of every line on the form, and what is wrong with them (by line)."""
    changes, errors = {}, {}
    for key in form:
        if not key.startswith("quantity-") or not key[9:].isdigit():
            continue
        item_id = int(key[9:])
        try:
            changes[item_id] = (order_quantities.parse(form.get(key)), form.get(f"note-{item_id}", ""))
        except RuleError as error:
            errors[f"line-{item_id}"] = str(error)
    return changes, errors


def _to_cart(access, which: str):
    if not can("shop.order"):
        abort(403, description=_("Your role does not allow ordering. Ask your company's portal admin."))
    ordering.require_cart_open()
    selected = request.form.getlist("item_id") if which == "selected" else None
    if selected == []:
        flash(_("Tick the lines to put in your cart."), "error")
        return redirect(list_url(access))
    outcome = purchase_list_cart.add_to_cart(current_actor(), company(), access.plist, selected)
    db.session.commit()
    report(outcome)
    return redirect(url_for("shop.cart") if outcome.added else list_url(access))


def _edit(access, verb: str, item_id: str):
    if verb == "save":
        changes, errors = _changes(request.form)
        if errors:
            return detail(access.plist.id, errors=errors, form=request.form), 400
        purchase_lists.update_lines(access, changes)
        message = _("Your changes are saved.")
    elif verb in ("up", "down"):
        purchase_lists.move_line(access, item_id, -1 if verb == "up" else 1)
        message = _("The line is moved.")
    elif verb == "remove":
        purchase_lists.remove_line(access, item_id)
        message = _("The line is removed from the list.")
    else:
        abort(400)
    db.session.commit()
    flash(message, "success")
    return redirect(list_url(access) + "#list-lines")


@bp.post("/<int:list_id>/lines")
@require_permission("lists.use")
def lines(list_id: int):
    access = open_list(list_id)
    verb, _sep, item_id = (request.form.get("action") or "").partition(":")
    try:
        if verb == "cart":
            return _to_cart(access, item_id)
        return _edit(access, verb, item_id)
    except purchase_lists.ListNotFound:
        db.session.rollback()
        abort(404)
    except purchase_lists.ListLocked as error:
        db.session.rollback()
        refuse(error)
    except RuleError as error:
        db.session.rollback()
        return detail(list_id, errors={"lines": str(error)}, form=request.form), 400
