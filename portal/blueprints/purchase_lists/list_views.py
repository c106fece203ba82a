"""The lists themselves: all of them, one list, create, rename, share, delete."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.blueprints.purchase_lists import bp
from portal.blueprints.purchase_lists.list_access import company, may_use, open_list, refuse
from portal.blueprints.shop import ordering
from portal.extensions import db
from portal.models import ListSharing
from portal.permissions import can, current_actor, require_permission
from portal.services import purchase_list_cart, purchase_lists
from portal.services.errors import RuleError
from portal.settings import is_enabled


def _may_order() -> bool:
    """The person may put lines in the cart now (role, and ordering or quote requests switched on)."""
    return is_enabled("shop") and can("shop.order") and ordering.cart_open()


@bp.get("/")
@require_permission("lists.view")
def index(errors=None, form=None):
    return render_template("purchase_lists/index.html",
                           lists=purchase_lists.summaries(current_actor(), company()),
                           may_use=may_use(), sharing_labels=purchase_lists.SHARING_LABELS,
                           errors=errors or {}, form=form or {})


@bp.post("/")
@require_permission("lists.use")
def create():
    try:
        sharing = purchase_lists.parse_sharing(request.form.get("sharing"))
        plist = purchase_lists.create(current_actor(), company(), request.form.get("name"), sharing)
    except RuleError as error:
        db.session.rollback()
        return index(errors={error.field or "name": str(error)}, form=request.form), 400
    db.session.commit()
    flash(_("The list “%(name)s” is made. Add products from the catalog, the cart or a past order.", name=plist.name),
          "success")
    return redirect(url_for("purchase_lists.detail", list_id=plist.id))


@bp.get("/<int:list_id>")
@require_permission("lists.view")
def detail(list_id: int, errors=None, form=None):
    access = open_list(list_id)
    priced = purchase_list_cart.load(company(), access.plist)
    return render_template("purchase_lists/detail.html", access=access, priced=priced, may_order=_may_order(),
                           sharing_labels=purchase_lists.SHARING_LABELS, sharings=list(ListSharing),
                           errors=errors or {}, form=form or {})


def _manage(list_id: int, change, message: str):
    access = open_list(list_id)
    try:
        change(access)
    except purchase_lists.ListLocked as error:
        db.session.rollback()
        refuse(error)
    except RuleError as error:
        db.session.rollback()
        return detail(list_id, errors={error.field or "list": str(error)}), 400
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("purchase_lists.detail", list_id=list_id))


@bp.post("/<int:list_id>/rename")
@require_permission("lists.use")
def rename(list_id: int):
    return _manage(list_id, lambda a: purchase_lists.rename(a, request.form.get("name")), _("The list is renamed."))


@bp.post("/<int:list_id>/sharing")
@require_permission("lists.use")
def share(list_id: int):
    return _manage(list_id, lambda a: purchase_lists.set_sharing(
        a, purchase_lists.parse_sharing(request.form.get("sharing"))), _("Who may see the list is changed."))


@bp.post("/<int:list_id>/delete")
@require_permission("lists.use")
def delete(list_id: int):
    access = open_list(list_id)
    name = access.plist.name
    try:
        purchase_lists.delete(access)
    except purchase_lists.ListLocked as error:
        db.session.rollback()
        refuse(error)
    db.session.commit()
    flash(_("The list “%(name)s” is deleted.", name=name), "success")
    return redirect(url_for("purchase_lists.index"))
