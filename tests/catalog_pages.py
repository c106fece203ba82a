"""Every page of a catalog listing, as SKUs per page (the catalog service asked page after page)."""
from __future__ import annotations

from portal.services import catalog


def every_page(viewer, tier_id=None, priced=False, **asked) -> list[list[str]]:
    tree = catalog.category_tree(viewer)
    found, number = [], 1
    while True:
        page = catalog.find_products(viewer, catalog.CatalogQuery(page=number, **asked), tree, tier_id, priced)
        found.append([row.product.sku for row in page.rows])
        if not page.has_next:
            return found
        number += 1
