"""The category tree as a viewer sees it: every category with the number of products the viewer may
see in it and below it, kept per catalog revision (``catalog_revision``).

One statement per request reads the revisions (catalog and search) with the counts of the restricted
products listed for the viewer's company; the categories and the counts everyone shares are read again
only when the catalog revision changed.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from sqlalchemy import and_, case, func, literal, null, select, union_all

from portal.models import (
    Category,
    Product,
    ProductVisibility,
)
from portal.reading import rows
from portal.services import catalog_revision, visibility
from portal.services.visibility import Viewer


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
    #: the catalog and search revisions read with the tree (``catalog_revision``): what is kept for them is
    #: current (``catalog_matches``)
    revision: str = ""
    search_revision: str = ""
    #: what pages write of this tree, kept with it (the shop's category menu)
    menus: dict = field(default_factory=dict, repr=False, compare=False)

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
    token, search_token, restricted = _revision_and_restricted(viewer if counted else None)
    # Every customer without restricted products of their own shares one tree, every guest another.
    key = (token, search_token, counted, counted and viewer.company_id is None, tuple(sorted(restricted, key=str)))
    tree = _trees.get(key)
    if tree is None:
        shared = _shared_cache.get(token)
        if shared is None:
            shared = _load_shared()
            keep(_shared_cache, token, shared, _KEPT_REVISIONS)
        tree = _build(shared, viewer if counted else None, restricted, search_token)
        keep(_trees, key, tree, _KEPT_TREES)
    return tree


def _build(shared: _Shared, viewer: Viewer | None, restricted: list[tuple[int | None, int]],
           search_token: str) -> CategoryTree:
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
    return CategoryTree(nodes, roots, total=sum(own.values()), revision=shared.token, search_revision=search_token)


@dataclass(frozen=True)
class _Shared:
    """What every viewer shares at one catalog revision."""

    token: str
    #: (id, name, slug, parent id), in menu order
    rows: tuple[tuple[int, str, str, int | None], ...]
    #: category (None: no category) -> products visible to every customer / to guests
    public: dict[int | None, int]
    guest: dict[int | None, int]


#: kept per process: the shared part of the last few revisions, and the trees built from them (shared by
#: every request, so nobody changes a tree once built)
_KEPT_REVISIONS, _KEPT_TREES = 4, 64
_shared_cache: dict[str, _Shared] = {}
_trees: dict[tuple, CategoryTree] = {}


_keeping = threading.Lock()


def keep(cache: dict, key, value, size: int) -> None:
    """Keep a value in a bounded per-process cache (the oldest goes first)."""
    with _keeping:
        cache[key] = value
        while len(cache) > size:
            cache.pop(next(iter(cache)), None)


def _revision_and_restricted(viewer: Viewer | None) -> tuple[str, str, list[tuple[int | None, int]]]:
    """The catalog and search revisions, and per category the restricted products listed for the viewer
    (one statement)."""
    if viewer is None or viewer.company_id is None:
        token, search_token = rows(_revision_statement(None)).one()[:2]
        return token, search_token, []
    found = rows(_revision_statement(viewer.tier_id is not None), visibility.params_of(viewer)).all()
    token, search_token = next(r[:2] for r in found if r[0] is not None)
    return token, search_token, [(r[2], r[3]) for r in found if r[0] is None]


@lru_cache(maxsize=4)
def _revision_statement(tier: bool | None):
    """The revisions; for a customer (`tier`: whether it has a price tier) with the counts of its listed
    restricted products, bound as ``visibility.params_of``."""
    revision = select(catalog_revision.CATALOG.token().label("token"),
                      catalog_revision.SEARCH.token().label("search_token"),
                      null().label("category_id"), null().label("n"))
    if tier is None:
        return revision
    listed = visibility.bound_listed_ids(tier)
    restricted = (select(null(), null(), Product.category_id, func.count())
                  .where(Product.visibility == ProductVisibility.restricted, Product.id.in_(listed))
                  .group_by(Product.category_id))
    return union_all(revision, restricted)


def _load_shared() -> _Shared:
    """The categories and their public and guest counts, with the revision they belong to (one statement:
    one snapshot). A full pass over the products, once per catalog revision."""
    public, guest = public_and_guest_counts()
    counts = (select(Product.category_id, public.label("public"), guest.label("guest"))
              .group_by(Product.category_id).cte("counts"))
    token = catalog_revision.CATALOG.token()
    columns = [Category.id, Category.name, Category.slug, Category.parent_id, Category.position]
    stmt = union_all(
        select(*columns, func.coalesce(counts.c.public, 0), func.coalesce(counts.c.guest, 0), token)
        .outerjoin(counts, counts.c.category_id == Category.id),
        # products in no category: one row without a category; and one row when there is no category at all
        select(null(), literal(""), literal(""), null(), literal(0), counts.c.public, counts.c.guest, token)
        .where(counts.c.category_id.is_(None)),
        select(null(), literal(""), literal(""), null(), literal(0), literal(0), literal(0), token))
    found = rows(stmt).all()
    categories = sorted((r for r in found if r[0] is not None), key=lambda r: (r[4] or 0, r[1]))
    public_counts, guest_counts = tally((r[0], r[5], r[6]) for r in found)
    return _Shared(found[0][7], tuple((r[0], r[1], r[2], r[3]) for r in categories), public_counts, guest_counts)


def public_and_guest_counts():
    """Aggregates over products: how many every customer may see, how many guests may see."""
    public = Product.visibility == ProductVisibility.all
    return (func.sum(case((public, 1), else_=0)),
            func.sum(case((and_(public, Product.guest_visible.is_(True)), 1), else_=0)))


def tally(found) -> tuple[dict[int | None, int], dict[int | None, int]]:
    """(category, public, guest) rows as category -> public count and category -> guest count."""
    public_counts: dict[int | None, int] = {}
    guest_counts: dict[int | None, int] = {}
    for category, n_public, n_guest in found:
        if n_public:
            public_counts[category] = public_counts.get(category, 0) + int(n_public)
        if n_guest:
            guest_counts[category] = guest_counts.get(category, 0) + int(n_guest)
    return public_counts, guest_counts
