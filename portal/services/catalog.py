"""The catalog as a viewer sees it: the category tree with counts, a page of products, one product.

Only what ``services.visibility`` lets the viewer see is listed, counted, found or shown. A page of
products is one statement (filters, sort, paging; without a search or the stock filter the total comes
from the category counts, with the stock filter from the same statement). A search in best-match order
is found once per search and catalog revision and kept (``catalog_matches``): then a page is its cards
by id; found, it costs the typo correction (``catalog_search.corrected``) and one statement listing the
matches. A search sorted otherwise, or in stock only, adds one counting statement to its page. The
category tree is one statement, plus one when the catalog revision changed (``catalog_tree``). The
statements are built once per shape and bound per request. Prices are not read here: the pages price
what they show with ``pricing.load_price_book``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import (
    Select,
    bindparam,
    func,
    select,
)
from sqlalchemy.orm import joinedload

from portal import reading
from portal.extensions import db
from portal.i18n import N_
from portal.models import (
    PriceTier,
    Product,
    ProductImage,
    ProductPrice,
    StockLevel,
)
from portal.reading import rows
from portal.services import catalog_matches, catalog_price_order, catalog_search, stock_counts, visibility
from portal.services.catalog_cards import CARD_COLUMNS, Card, CardStock, ProductRow, card, first_image
from portal.services.catalog_tree import CategoryNode, CategoryTree, category_tree
from portal.services.visibility import Viewer, visible, visible_clause

#: what the pages use from the modules the catalog is made of
__all__ = [
    "PAGE_SIZES",
    "SORTS",
    "Card",
    "CardStock",
    "CatalogPage",
    "CatalogQuery",
    "CategoryNode",
    "CategoryTree",
    "ProductRow",
    "category_tree",
    "find_products",
    "image_for",
    "offered_sorts",
    "product_for",
]

#: sort key -> label; "relevance" (the default) is by name when nothing is searched, so a search typed
#: on any page is ranked by how well products match
SORTS = {"relevance": N_("Best match"), "name": N_("Name"), "price": N_("Price, lowest first"),
         "newest": N_("Newest first")}
PAGE_SIZES = (24, 48, 96)


def offered_sorts(priced: bool) -> dict[str, str]:
    """The sorts offered: by price only when prices are shown (the order would give hidden prices away).
    The first is the default."""
    return {k: v for k, v in SORTS.items() if k != "price" or priced}

# --- a page of products -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CatalogQuery:
    """What the visitor asked for: search words, filters, sort and page."""

    search: str = ""
    category_id: int | None = None
    in_stock: bool = False
    sort: str = "relevance"
    page: int = 1
    per_page: int = PAGE_SIZES[0]

@dataclass
class CatalogPage:
    rows: list[ProductRow]
    total: int
    page: int
    per_page: int
    #: the words searched for after typo correction, when they differ from what was typed
    corrected_to: str = ""
    #: a search so broad that its matches are listed by name, not ranked (see ``catalog_matches.BROAD``)
    by_name_for_breadth: bool = False

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def find_products(viewer: Viewer, query: CatalogQuery, tree: CategoryTree, price_tier_id: int | None,
                  priced: bool) -> CatalogPage:
    """A page of the products the viewer may see, filtered, searched and sorted.

    Sorting by price uses the list price in ``price_tier_id`` (for customers the default tier's where the
    product has none there; before promotions, contract prices and discounts); when the viewer sees no
    prices (``priced`` false) it sorts by name, so the order cannot give hidden prices away."""
    typed = catalog_search.words_of(query.search)
    if not typed:
        return _page(viewer, query, tree, typed, price_tier_id, priced)
    search_key = catalog_matches.key(tree.search_revision, tree.revision, typed)
    found = catalog_matches.kept(search_key)
    # Typos are mended before searching (one statement, unless the search is kept), so every search costs
    # the same.
    words = list(found.words) if found is not None else catalog_search.corrected(typed)
    if query.sort != "relevance" or query.in_stock:  # stock changes too often to keep; other orders read theirs
        page = _page(viewer, query, tree, words, price_tier_id, priced)
    else:
        if found is None:
            found, unseen = catalog_matches.find(viewer, words)
            catalog_matches.keep(search_key, found)
        else:
            unseen = catalog_matches.unseen(viewer, found)
        page = _found_page(viewer, query, tree, found, unseen, price_tier_id, priced)
    if words != typed:
        page.corrected_to = " ".join(words)
    return page


def _found_page(viewer: Viewer, query: CatalogQuery, tree: CategoryTree, found: catalog_matches.Matches,
                unseen: set[int], price_tier_id: int | None, priced: bool) -> CatalogPage:
    """A page of a search's matches in their listing order: the viewer's own matches (less those it may
    not see, in the categories asked), then their cards. A broad search the category narrows to at most
    ``catalog_matches.BROAD`` products is ranked after all (by ``_page``)."""
    wanted = tree.descendants(query.category_id) if query.category_id is not None else None
    total = found.total(unseen, wanted)
    if found.broad and total <= catalog_matches.BROAD:
        return _page(viewer, query, tree, list(found.words), price_tier_id, priced, matched=total)
    ids = found.page(unseen, wanted, (query.page - 1) * query.per_page, query.per_page)
    return CatalogPage(catalog_matches.cards(ids), total, query.page, query.per_page,
                       by_name_for_breadth=found.broad)


class _Shape(NamedTuple):
    """What a page's statement depends on beyond its bound values: one statement is built per shape and
    kept (``_page_statement``), so a request only binds its values (building and keying a statement cost
    more than running it)."""

    dialect: str
    #: ``visibility.shape_of`` the viewer
    viewer: tuple[bool, bool]
    #: None, "index" (the category index finds its products) or "walk" (the name index, see _walk_names)
    category: str | None
    in_stock: bool
    #: None, "ranked" (best match first) or "broad" (a broad search, listed by name)
    search: str | None
    sort: str
    #: sorting by price in a tier (else the default tier's prices)
    price_tier: bool
    #: sorting by price among each tier's cheapest products only (``catalog_price_order``)
    cheapest: bool = False


def _page(viewer, query, tree, words, price_tier_id, priced, matched: int | None = None) -> CatalogPage:
    # Without a search the category counts already hold the total (the tree's, or with the stock filter
    # those kept per stock revision): no count over all matching rows, so the first page reads only its
    # own rows from the name index. A search is counted first (one statement over the index's matches),
    # then its page is read.
    dialect = reading.dialect()
    params = visibility.params_of(viewer)
    category = None
    if query.category_id is not None:
        params["categories"] = sorted(tree.descendants(query.category_id))
        walk = not words and query.sort in ("relevance", "name") and _walk_names(tree, query)
        category = "walk" if walk else "index"
    search, sort = None, query.sort
    if words:
        params[catalog_search.WORDS_PARAM] = catalog_search.expression(words)
        if matched is None:  # else counted from a kept search
            count_shape = (dialect, visibility.shape_of(viewer), category, query.in_stock)
            matched = rows(_search_count_statement(*count_shape), params).scalar_one()
        search = "broad" if matched > catalog_matches.BROAD and sort == "relevance" else "ranked"
        if search == "broad":
            sort = "name"
    if sort == "price" and not priced:
        sort = "name"
    params.update(price_tier_id=price_tier_id, page_limit=query.per_page,
                  page_offset=(query.page - 1) * query.per_page)
    shape = _Shape(dialect, visibility.shape_of(viewer), category, query.in_stock, search, sort,
                   price_tier=price_tier_id is not None)
    if words:
        total = matched
    elif query.in_stock:
        total = stock_counts.in_stock_total(viewer, tree, query.category_id)
    else:
        total = tree.nodes[query.category_id].count if query.category_id is not None else tree.total
    found = _cheapest_page(shape, params, query, total, tree.total) if sort == "price" and not words else None
    if found is None:
        found = rows(_page_statement(shape), params).all()
    return CatalogPage([ProductRow(card(r), r.image_id) for r in found], total, query.page, query.per_page,
                       by_name_for_breadth=search == "broad")


def _cheapest_page(shape: _Shape, params: dict, query: CatalogQuery, listed: int, catalog: int) -> list | None:
    """The page of a list of ``listed`` products sorted by price, found among each tier's cheapest
    products; None when they do not hold the whole page (``catalog_price_order``)."""
    need = query.page * query.per_page
    size = catalog_price_order.window(need, listed, catalog)
    if size is None:
        return None
    found = rows(_page_statement(shape._replace(cheapest=True)),
                 {**params, "price_window_last": size - 1}).all()
    return found if found and found[0].qualified >= need else None


@lru_cache(maxsize=512)
def _page_statement(shape: _Shape) -> Select:
    """A page of products, its cards' columns and picture, for every request of a shape (bound: the
    viewer, categories, search words, price tier, page_limit and page_offset)."""
    stmt = _filtered(select(Product.id.label("id")), shape)
    rank = None
    if shape.search is not None:
        found = catalog_search.bound_match(shape.dialect)
        if shape.search == "broad":  # walk the name index, skipping what does not match ("+ 0": not the other way round)
            stmt = stmt.where((Product.id + 0).in_(found.ids))
        else:
            stmt = stmt.join(found.joined, found.onclause).where(found.where)
            rank = found.rank
    # The page's ids are found and sorted first; only then are their cards read (picture, stock): a
    # ranked search or a sort by price orders every match, and should not read more than the order needs.
    keys = _sort_keys(shape, rank)
    stmt = stmt.add_columns(*(key.label(f"k{i}") for i, (key, _, _) in enumerate(keys)))
    if shape.cheapest:  # how many of the cheapest qualify: the page is exact when they fill it
        guest = shape.viewer[0]
        stmt = stmt.where(Product.id.in_(catalog_price_order.candidates(guest, shape.price_tier)),
                          catalog_price_order.at_most_the_ends(keys[0][0], guest, shape.price_tier))
        stmt = stmt.add_columns(func.count().over().label("qualified"))
    chosen = (stmt.order_by(*_ordered(keys)).limit(bindparam("page_limit")).offset(bindparam("page_offset"))
              .subquery("chosen"))
    qualified = [chosen.c.qualified] if shape.cheapest else []
    return (select(*CARD_COLUMNS, first_image().label("image_id"), *qualified)
            .select_from(chosen).join(Product, Product.id == chosen.c.id)
            .outerjoin(StockLevel, StockLevel.product_id == Product.id)
            .order_by(*_ordered([(chosen.c[f"k{i}"], desc, last) for i, (_, desc, last) in enumerate(keys)])))

@lru_cache(maxsize=64)
def _search_count_statement(dialect: str, viewer: tuple[bool, bool], category: str | None, in_stock: bool) -> Select:
    """How many products the viewer may see match the search (one statement, bound as ``_page_statement``).
    A plain search counts the index's matches less the few the viewer may not see, rather than looking
    up every match."""
    found = catalog_search.bound_match(dialect)
    if category is None and not in_stock:
        everyone = select(func.count()).select_from(found.joined).where(found.where).scalar_subquery()
        # "+ 0": the engine finds the unseen products by the visibility index, then checks them against
        # the matches, not the other way round
        unseen = (select(func.count()).select_from(Product)
                  .where(visibility.bound_unseen_clause(viewer), (Product.id + 0).in_(found.ids)).scalar_subquery())
        return select(everyone - unseen)
    shape = _Shape(dialect, viewer, category and "index", in_stock, "ranked", "relevance", False)
    return _filtered(select(func.count()).select_from(Product), shape).where(Product.id.in_(found.ids))


def _filtered(stmt: Select, shape: _Shape) -> Select:
    """The viewer's visible products in the asked categories, in stock when asked (not the search)."""
    stmt = stmt.where(visibility.bound_visible_clause(shape.viewer))
    if shape.category is not None:
        # A large category's page is found sooner walking the name index and skipping products of
        # other categories than reading all of the category's products and sorting them: "+ 0"
        # keeps the engine from choosing the category index.
        category = Product.category_id + 0 if shape.category == "walk" else Product.category_id
        stmt = stmt.where(category.in_(bindparam("categories", expanding=True)))
    if shape.in_stock:
        stmt = stmt.join(StockLevel, StockLevel.product_id == Product.id).where(
            StockLevel.on_hand - StockLevel.reserved > 0)
    return stmt


def _walk_names(tree: CategoryTree, query: CatalogQuery) -> bool:
    """Whether a category's page is cheaper found along the name index: reading about
    (rows up to this page) × catalog / category products beats reading and sorting all the category's
    products (each costing about three of the former) when the category is large enough."""
    node = tree.nodes.get(query.category_id)
    if node is None or node.count == 0:
        return False
    rows = query.page * query.per_page
    return 3 * node.count * node.count > rows * tree.total


def _sort_keys(shape: _Shape, rank) -> list[tuple]:
    """The page's order: (expression, descending, nulls last) from the first key to the last."""
    if shape.sort == "relevance" and rank is not None:
        return [(rank, False, False), (Product.name, False, False), (Product.id, False, False)]
    if shape.sort == "newest":
        return [(Product.created_dt, True, False), (Product.id, True, False)]
    if shape.sort == "price":
        return [(_list_price(shape), False, True), (Product.name, False, False), (Product.id, False, False)]
    return [(Product.name, False, False), (Product.id, False, False)]


def _ordered(keys: list[tuple]) -> list:
    ordered = []
    for key, descending, nulls_last in keys:
        key = key.desc() if descending else key.asc()
        ordered.append(key.nulls_last() if nulls_last else key)
    return ordered


def _list_price(shape: _Shape):
    """The product's list price in the tier (bound: price_tier_id); for customers the default tier's
    where it has none there."""
    own = (select(ProductPrice.price)
           .where(ProductPrice.product_id == Product.id, ProductPrice.tier_id == bindparam("price_tier_id"))
           .correlate(Product).scalar_subquery())
    if shape.viewer[0]:  # a guest: the guest tier's prices only
        return own
    default = (select(ProductPrice.price).join(PriceTier, PriceTier.id == ProductPrice.tier_id)
               .where(ProductPrice.product_id == Product.id, PriceTier.is_default.is_(True))
               .correlate(Product).limit(1).scalar_subquery())
    return func.coalesce(own, default) if shape.price_tier else default


# --- one product ------------------------------------------------------------------------------------

def product_for(viewer: Viewer, product_id: int) -> Product | None:
    """The product with its stock and pictures, or None when the viewer may not see it (one query)."""
    return db.session.execute(
        visible(select(Product), viewer).where(Product.id == product_id)
        .options(joinedload(Product.stock), joinedload(Product.images))
    ).unique().scalar_one_or_none()


def image_for(viewer: Viewer, image_id: int) -> ProductImage | None:
    """A picture of a product the viewer may see; None otherwise."""
    return db.session.execute(
        select(ProductImage).join(Product, Product.id == ProductImage.product_id)
        .where(ProductImage.id == image_id, visible_clause(viewer))
    ).scalar_one_or_none()
