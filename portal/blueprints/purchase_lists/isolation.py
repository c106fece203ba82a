"""Objects the purchase-list pages take, made for one company (the tenant-isolation matrix uses these)."""
from __future__ import annotations

from decimal import Decimal

from portal.extensions import db
from portal.models import Company, ListSharing, Product, PurchaseList, PurchaseListItem


def make_purchase_list(company: Company) -> int:
    """A list shared for editing whose owner has left: every colleague with the permission may open it."""
    # The product is in everyone's catalog: its name must not name the company (that would be a "leak").
    product = Product(sku=f"LIST-ISO-{company.id}", name=f"Listed item {company.id}")
    plist = PurchaseList(company_id=company.id, name=f"Site list {company.code}", sharing=ListSharing.edit)
    plist.items.append(PurchaseListItem(product=product, quantity=Decimal(3), note="for the site", position=1))
    db.session.add(plist)
    db.session.flush()
    return plist.id
