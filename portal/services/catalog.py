"""The catalog as a viewer sees it: the category tree with counts, a page of products, one product.

Only what ``services.visibility`` lets the viewer see is listed, counted, found or shown. A page of
products is one statement (filters, sort, paging; without a search or the stock filter the total comes
from the category counts, with the stock filter from the same statement); a search adds one counting
statement (and ``catalog_search.corrected`` one for typos). The category tree is one statement, plus
one when the catalog revision changed (see ``category_tree``). Prices are not read here: the pages
price what they show with ``pricing.load_price_book``.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import NamedTuple

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    case,
    column,
    func,
    literal,
    null,
    select,
    table,
    union,
    union_all,
)
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.i18n import N_
from portal.models import (
    Category,
    PriceTier,
    Product,
    ProductImage,
    ProductPrice,
    ProductVisibility,
    StockLevel,
    product_company_visibility,
    product_tier_visibility,
)
from portal.services import catalog_revision, catalog_search, visibility
from portal.services.visibility import Viewer, visible, visible_clause

#: sort key -> label; "relevance" (the default) is by name when nothing is searched, so a search typed
#: on any page is ranked by how well products match
SORTS = {"relevance": N_("Best match"), "name": N_("Name"), "price": N_("Price, lowest first"),
         "newest": N_("Newest first")}
PAGE_SIZES = (24, 48, 96)


def offered_sorts(priced: bool) -> dict[str, str]:
    """The sorts offered: by price only when prices are shown (the order would give hidden prices away).
    The first is the default."""
    return {k: v for k, v in SORTS.items() if k != "price" or priced}


# --- categories -------------------------------------------------------------------------------------

@dataclass
class CategoryNode:
    id: int
    name: str
    slug: str
    parent_id: int | None
    #: visible products in this category and its subcategories
    count: int = 0
    children: list[CategoryNode] = field(default_factory=list)


@dataclass
class CategoryTree:
    nodes: dict[int, CategoryNode]
    roots: list[CategoryNode]
    #: every product the viewer may see, in a category or not
    total: int = 0

    @cached_property
    def parents(self) -> dict[int, int | None]:
        """category id -> parent id, for pricing's category promotions."""
        return {n.id: n.parent_id for n in self.nodes.values()}

    def descendants(self, category_id: int) -> set[int]:
        """The category and every category below it."""
        found, todo = set(), [category_id]
        while todo:
            current = todo.pop()
            if current in self.nodes and current not in found:
                found.add(current)
                todo.extend(child.id for child in self.nodes[current].children)
        return found

    def lineage(self, category_id: int | None) -> list[CategoryNode]:
        """From the top category down to this one (the breadcrumb)."""
        chain: list[CategoryNode] = []
        while category_id is not None and category_id in self.nodes and len(chain) < len(self.nodes):
            chain.append(self.nodes[category_id])
            category_id = self.nodes[category_id].parent_id
        return chain[::-1]

    def shown(self, nodes: list[CategoryNode] | None = None) -> list[CategoryNode]:
        """Categories with something the viewer may see, in menu order."""
        return [n for n in (self.roots if nodes is None else nodes) if n.count > 0]


def category_tree(viewer: Viewer, counted: bool = True) -> CategoryTree:
    """Every category with the number of products the viewer may see in it and below it.

    The categories and the counts of products every customer (or every guest) may see are the same
    for all viewers until the catalog changes: they are kept per catalog revision
    (``catalog_revision``) and read again only when it changed. Per request one statement reads the
    revision together with the counts of the restricted products listed for this customer (its
    company or price tier) — a few, found through the visibility lists' indexes, not a scan of the
    catalog. ``counted=False`` leaves the counts at zero (a product page's breadcrumb)."""
    token, restricted = _revision_and_restricted(viewer if counted else None)
    # Every customer without restricted products of their own shares one tree, every guest another.
    key = (token, counted, counted and viewer.company_id is None, tuple(sorted(restricted, key=str)))
    tree = _trees.get(key)
    if tree is None:
        shared = _shared_cache.get(token)
        if shared is None:
            shared = _load_shared()
            _keep(_shared_cache, token, shared, _KEPT_REVISIONS)
        tree = _build(shared, viewer if counted else None, restricted)
        _keep(_trees, key, tree, _KEPT_TREES)
    return tree


def _build(shared: _Shared, viewer: Viewer | None, restricted: list[tuple[int | None, int]]) -> CategoryTree:
    if viewer is None:
        own: dict[int | None, int] = {}
    else:
        own = dict(shared.guest if viewer.company_id is None else shared.public)
        for category_id, n in restricted:
            own[category_id] = own.get(category_id, 0) + n
    nodes = {r[0]: CategoryNode(r[0], r[1], r[2], r[3]) for r in shared.rows}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id is not None else None
        (parent.children if parent is not None else roots).append(node)
    todo, ordered, seen = list(roots), [], set()  # parents before children, then totals bottom-up
    while todo:
        node = todo.pop()
        if node.id not in seen:
            seen.add(node.id)
            ordered.append(node)
            todo.extend(node.children)
    for node in reversed(ordered):
        node.count = own.get(node.id, 0) + sum(child.count for child in node.children)
    return CategoryTree(nodes, roots, total=sum(own.values()))


@dataclass(frozen=True)
class _Shared:
    """What every viewer shares at one catalog revision."""

    token: str
    #: (id, name, slug, parent id), in menu order
    rows: tuple[tuple[int, str, str, int | None], ...]
    #: category (None: no category) -> products visible to every customer / to guests
    public: dict[int | None, int]
    guest: dict[int | None, int]


_REVISION = table(catalog_revision.TABLE, column("token"))
#: kept per process: the shared part of the last few revisions, and the trees built from them (shared by
#: every request, so nobody changes a tree once built)
_KEPT_REVISIONS, _KEPT_TREES = 4, 64
_shared_cache: dict[str, _Shared] = {}
_trees: dict[tuple, CategoryTree] = {}


_keeping = threading.Lock()


def _keep(cache: dict, key, value, size: int) -> None:
    with _keeping:
        cache[key] = value
        while len(cache) > size:
            cache.pop(next(iter(cache)), None)


def _revision_and_restricted(viewer: Viewer | None) -> tuple[str, list[tuple[int | None, int]]]:
    """The catalog revision, and per category the restricted products listed for the viewer (one statement)."""
    if viewer is None or viewer.company_id is None:
        return db.session.execute(_revision_statement(None)).scalar_one(), []
    rows = db.session.execute(_revision_statement(viewer.tier_id is not None), visibility.params_of(viewer)).all()
    token = next(r[0] for r in rows if r[0] is not None)
    return token, [(r[1], r[2]) for r in rows if r[0] is None]


@lru_cache(maxsize=4)
def _revision_statement(tier: bool | None):
    """The revision; for a customer (`tier`: whether it has a price tier) with the counts of its listed
    restricted products, bound as ``visibility.params_of``."""
    revision = select(_REVISION.c.token, null().label("category_id"), null().label("n"))
    if tier is None:
        return revision
    listed = select(product_company_visibility.c.product_id).where(
        product_company_visibility.c.company_id == bindparam(visibility.COMPANY_PARAM))
    if tier:
        listed = union(listed, select(product_tier_visibility.c.product_id).where(
            product_tier_visibility.c.tier_id == bindparam(visibility.TIER_PARAM)))
    restricted = (select(null(), Product.category_id, func.count())
                  .where(Product.visibility == ProductVisibility.restricted, Product.id.in_(listed))
                  .group_by(Product.category_id))
    return union_all(revision, restricted)


def _load_shared() -> _Shared:
    """The categories and their public and guest counts, with the revision they belong to (one statement:
    one snapshot). A full pass over the products, once per catalog revision."""
    public = Product.visibility == ProductVisibility.all
    counts = (select(Product.category_id, func.sum(case((public, 1), else_=0)).label("public"),
                     func.sum(case((and_(public, Product.guest_visible.is_(True)), 1), else_=0)).label("guest"))
              .group_by(Product.category_id).cte("counts"))
    token = select(_REVISION.c.token).scalar_subquery()
    columns = [Category.id, Category.name, Category.slug, Category.parent_id, Category.position]
    stmt = union_all(
        select(*columns, func.coalesce(counts.c.public, 0), func.coalesce(counts.c.guest, 0), token)
        .outerjoin(counts, counts.c.category_id == Category.id),
        # products in no category: one row without a category; and one row when there is no category at all
        select(null(), literal(""), literal(""), null(), literal(0), counts.c.public, counts.c.guest, token)
        .where(counts.c.category_id.is_(None)),
        select(null(), literal(""), literal(""), null(), literal(0), literal(0), literal(0), token))
    rows = db.session.execute(stmt).all()
    categories = sorted((r for r in rows if r[0] is not None), key=lambda r: (r[4] or 0, r[1]))
    public_counts: dict[int | None, int] = {}
    guest_counts: dict[int | None, int] = {}
    for r in rows:
        if r[5]:
            public_counts[r[0]] = public_counts.get(r[0], 0) + int(r[5])
        if r[6]:
            guest_counts[r[0]] = guest_counts.get(r[0], 0) + int(r[6])
    return _Shared(rows[0][7], tuple((r[0], r[1], r[2], r[3]) for r in categories), public_counts, guest_counts)


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


class CardStock(NamedTuple):
    """A product's stock as a card shows it (what ``stock_display.note_for`` reads)."""

    available: Decimal
    incoming: Decimal | None
    incoming_date: date | None


class Card(NamedTuple):
    """The columns of a product a catalog card shows: plain values read as a row, not an ORM entity
    (building 24 entities and their stock levels cost more than the statement)."""

    id: int
    sku: str
    name: str
    category_id: int | None
    unit: str
    pack_size: Decimal
    min_order_qty: Decimal
    order_increment: Decimal
    stock: CardStock | None


@dataclass
class ProductRow:
    product: Card
    #: the first picture of the product, for the thumbnail
    image_id: int | None


@dataclass
class CatalogPage:
    rows: list[ProductRow]
    total: int
    page: int
    per_page: int
    #: the words searched for after typo correction, when they differ from what was typed
    corrected_to: str = ""
    #: a search so broad that its matches are listed by name, not ranked (see BROAD_SEARCH)
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
    # Typos are mended before searching (one statement), so every search costs the same.
    words = catalog_search.corrected(typed) if typed else typed
    page = _page(viewer, query, tree, words, price_tier_id, priced)
    if words != typed:
        page.corrected_to = " ".join(words)
    return page


#: a search matching more products than this lists them by name: ranking thousands of near-equal
#: matches costs more than it tells (refining the search brings back the best-match order)
BROAD_SEARCH = 2000
_ZERO = Decimal(0)


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
    #: the total comes from the statement itself (a window count): the stock filter without a search
    counts_itself: bool
    #: sorting by price in a tier (else the default tier's prices)
    price_tier: bool


def _page(viewer, query, tree, words, price_tier_id, priced) -> CatalogPage:
    # Without a search or the stock filter the category counts already hold the total: no count over
    # all matching rows, so the first page reads only its own rows from the name index. A search is
    # counted first (one statement over the index's matches), then its page is read.
    counted_by_tree = not words and not query.in_stock
    dialect = db.session.get_bind().dialect.name
    params = visibility.params_of(viewer)
    category = None
    if query.category_id is not None:
        params["categories"] = sorted(tree.descendants(query.category_id))
        walk = not words and query.sort in ("relevance", "name") and _walk_names(tree, query)
        category = "walk" if walk else "index"
    search, sort = None, query.sort
    if words:
        params[catalog_search.WORDS_PARAM] = catalog_search.expression(words)
        count_shape = (dialect, visibility.shape_of(viewer), category, query.in_stock)
        matched = db.session.execute(_search_count_statement(*count_shape), params).scalar_one()
        search = "broad" if matched > BROAD_SEARCH and sort == "relevance" else "ranked"
        if search == "broad":
            sort = "name"
    if sort == "price" and not priced:
        sort = "name"
    params.update(price_tier_id=price_tier_id, page_limit=query.per_page,
                  page_offset=(query.page - 1) * query.per_page)
    shape = _Shape(dialect, visibility.shape_of(viewer), category, query.in_stock, search, sort,
                   counts_itself=not counted_by_tree and not words, price_tier=price_tier_id is not None)
    rows = db.session.execute(_page_statement(shape), params).all()
    if words:
        total = matched
    elif counted_by_tree:
        total = tree.nodes[query.category_id].count if query.category_id is not None else tree.total
    else:
        total = rows[0].total if rows else 0
    return CatalogPage([ProductRow(_card(r), r.image_id) for r in rows], total, query.page, query.per_page,
                       by_name_for_breadth=search == "broad")


@lru_cache(maxsize=512)
def _page_statement(shape: _Shape) -> Select:
    """A page of products, its cards' columns and picture, for every request of a shape (bound: the
    viewer, categories, search words, price tier, page_limit and page_offset)."""
    total = func.count().over() if shape.counts_itself else literal(0)
    stmt = _filtered(select(Product.id.label("id"), total.label("total")), shape)
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
    chosen = (stmt.order_by(*_ordered(keys)).limit(bindparam("page_limit")).offset(bindparam("page_offset"))
              .subquery("chosen"))
    first_image = (select(ProductImage.id).where(ProductImage.product_id == Product.id)
                   .order_by(ProductImage.position, ProductImage.id).limit(1).correlate(Product).scalar_subquery())
    return (select(*_CARD_COLUMNS, first_image.label("image_id"), chosen.c.total)
            .select_from(chosen).join(Product, Product.id == chosen.c.id)
            .outerjoin(StockLevel, StockLevel.product_id == Product.id)
            .order_by(*_ordered([(chosen.c[f"k{i}"], desc, last) for i, (_, desc, last) in enumerate(keys)])))


#: a product card's columns (no description), then its stock level's
_CARD_COLUMNS = (Product.id, Product.sku, Product.name, Product.category_id, Product.unit, Product.pack_size,
                 Product.min_order_qty, Product.order_increment, StockLevel.product_id.label("stock_of"),
                 StockLevel.on_hand, StockLevel.reserved, StockLevel.incoming, StockLevel.incoming_date)


def _card(r) -> Card:
    stock = None
    if r.stock_of is not None:
        stock = CardStock((r.on_hand or _ZERO) - (r.reserved or _ZERO), r.incoming, r.incoming_date)
    return Card(r.id, r.sku, r.name, r.category_id, r.unit, r.pack_size, r.min_order_qty, r.order_increment, stock)


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
    shape = _Shape(dialect, viewer, category and "index", in_stock, "ranked", "relevance", False, False)
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
