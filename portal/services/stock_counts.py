"""How many products a viewer may see are in stock, per category: the total of an "in stock only" page.

Counting every product in stock on each such request is a pass over the catalog (about 100 ms at
200,000 products). The counts everyone shares are kept instead, per catalog revision and *stock
revision* — a token that database triggers replace on every write to a stock level's on hand or
reserved figure, or a stock level added or removed (``catalog_revision.STOCK``): an order, a delivery,
an import, the back office or raw SQL. A kept count is therefore never stale, and a busy shop pays the
pass once per change of stock, not once per page. Per request one statement reads the stock revision
with the viewer's restricted products in stock (a few, found through the visibility lists).
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import func, literal, null, select, union_all

from portal.models import (
    Product,
    ProductVisibility,
    StockLevel,
)
from portal.reading import rows
from portal.services import catalog_revision, visibility
from portal.services.catalog_tree import CategoryTree, keep, public_and_guest_counts, tally
from portal.services.visibility import Viewer

#: (catalog token, stock token) -> (category -> products every customer may see in stock, same for guests)
_kept: dict[tuple[str, str], tuple[dict[int | None, int], dict[int | None, int]]] = {}
_KEPT = 4


def _in_stock():
    return StockLevel.on_hand - StockLevel.reserved > 0


def in_stock_total(viewer: Viewer, tree: CategoryTree, category_id: int | None) -> int:
    """Products the viewer may see that are in stock, in the category and below it (None: all)."""
    stock_token, restricted = _stock_revision_and_restricted(viewer)
    shared = _kept.get((tree.revision, stock_token))
    if shared is None:
        tokens, shared = _load_shared()
        keep(_kept, tokens, shared, _KEPT)
    counts = dict(shared[1] if viewer.company_id is None else shared[0])
    for category, n in restricted:
        counts[category] = counts.get(category, 0) + n
    if category_id is None:
        return sum(counts.values())
    return sum(counts.get(c, 0) for c in tree.descendants(category_id))


def _stock_revision_and_restricted(viewer: Viewer) -> tuple[str, list[tuple[int | None, int]]]:
    if viewer.company_id is None:
        return rows(_revision_statement(None)).one()[0], []
    found = rows(_revision_statement(viewer.tier_id is not None), visibility.params_of(viewer)).all()
    token = next(r[0] for r in found if r[0] is not None)
    return token, [(r[1], int(r[2])) for r in found if r[0] is None]


@lru_cache(maxsize=4)
def _revision_statement(tier: bool | None):
    """The stock revision; for a customer (``tier``: whether it has a price tier) with its listed
    restricted products in stock per category, bound as ``visibility.params_of``."""
    revision = select(catalog_revision.STOCK.token().label("token"), null().label("category_id"), null().label("n"))
    if tier is None:
        return revision
    listed = visibility.bound_listed_ids(tier)
    restricted = (select(null(), Product.category_id, func.count())
                  .join(StockLevel, StockLevel.product_id == Product.id)
                  .where(Product.visibility == ProductVisibility.restricted, Product.id.in_(listed), _in_stock())
                  .group_by(Product.category_id))
    return union_all(revision, restricted)


def _load_shared():
    """Per category the products in stock every customer and every guest may see, with the catalog and
    stock revisions they belong to (one statement: one snapshot). A pass over the stock levels."""
    tokens = (catalog_revision.CATALOG.token(), catalog_revision.STOCK.token())
    found = rows(union_all(
        select(Product.category_id, *public_and_guest_counts(), *tokens)
        .join(StockLevel, StockLevel.product_id == Product.id).where(_in_stock()).group_by(Product.category_id),
        select(null(), literal(0), literal(0), *tokens))).all()
    return (found[0][3], found[0][4]), tally((r[0], r[1], r[2]) for r in found)
