"""What every purchase-list view needs: the acting company, the list asked for (404) and the right to
change it (403), and where to go back to."""
from __future__ import annotations

from flask import abort, redirect, request, url_for

from portal.models import Company
from portal.permissions import acting, can, current_actor
from portal.services import purchase_lists
from portal.services.redirects import safe_next


def company() -> Company:
    return acting().company


def may_use() -> bool:
    return can("lists.use")


def open_list(list_id) -> purchase_lists.Access:
    """The list if the person sees it; 404 for another company's list or a colleague's private one."""
    try:
        return purchase_lists.get(current_actor(), company(), list_id, may_use=may_use())
    except purchase_lists.ListNotFound:
        abort(404)


def refuse(error: purchase_lists.ListLocked):
    abort(403, description=str(error))


def back_to(default: str):
    """The page the form came from (checked), else `default`."""
    return redirect(safe_next(request.form.get("next")) or default)


def list_url(access: purchase_lists.Access) -> str:
    return url_for("purchase_lists.detail", list_id=access.plist.id)
