"""The lists an "add to list" form offers (a template global, so the catalog's product page can include
purchase_lists/_add_to_list.html without its view knowing about lists)."""
from __future__ import annotations

from portal.blueprints.purchase_lists import bp
from portal.models import PurchaseList
from portal.permissions import acting, can, current_actor
from portal.services import purchase_lists
from portal.settings import is_enabled


@bp.app_template_global()
def purchase_list_targets() -> list[PurchaseList] | None:
    """The acting person's lists they may add to; None when they may not use lists here (no form then)."""
    company = acting().company
    if company is None or not company.is_customer or not is_enabled("purchase_lists") or not can("lists.use"):
        return None
    return purchase_lists.editable(current_actor(), company)
