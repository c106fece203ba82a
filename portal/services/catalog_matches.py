"""A search's ranked matches, kept per search revision and catalog revision.

Ranking a search (SQLite's bm25, PostgreSQL's ts_rank) orders every product that matches its words:
hundreds in a large catalog, in proportion to it. Yet the matches of some words, in best-match order,
with their categories and which of them not every viewer may see, are the same for every viewer until
a product's words change (the search revision) or what may be listed changes (the catalog revision).
Both are tokens that database triggers replace on every such write, whoever makes it
(``catalog_revision``), so a kept result is never stale: a request reads the tokens first, and a result
found with them describes data at least as new as they are.

What depends on the viewer — which of the restricted matches it may not see — is read once per viewer
and kept with the search (one statement, none when every match is for everyone). Per request only the
page's cards are read by id (one statement), with their stock and the viewer's prices fresh. A search matching more than ``BROAD`` products is not
kept ranked (its page walks the name index; see ``catalog.find_products``), only its corrected words.
"""
from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Select, and_, bindparam, case, func, select

from portal import reading
from portal.models import Product, ProductVisibility, StockLevel
from portal.reading import rows as read
from portal.services import catalog_search, visibility
from portal.services.catalog_cards import CARD_COLUMNS, ProductRow, card, first_image

#: a search matching more products than this lists them by name: ranking thousands of near-equal
#: matches costs more than it tells (refining the search brings back the best-match order)
BROAD = 2000
#: matching products kept per process, over all kept searches (two 8-byte numbers each: about 32 MB)
KEPT_IDS = 2_000_000
#: searches kept per process, whatever they found (a search finding nothing is kept too: typed words
#: are anyone's, so their number is bounded, not only their matches)
KEPT_SEARCHES = 1024


@dataclass(frozen=True)
class Matches:
    """What a search found, for every viewer."""

    #: the words searched for, after typo correction
    words: tuple[str, ...]
    #: the matching products' ids in listing order: best match first (rank, name, id), or by name (name,
    #: id) for a search matching more than BROAD products
    ids: array
    #: the category of each product (0: none), in the same order
    categories: array
    broad: bool
    #: category (0: none) -> how many products match in it
    per_category: dict[int, int]
    #: the matches not every viewer may see (restricted, hidden, or not for guests) -> their category
    restricted: dict[int, int]
    #: per viewer (company and tier, or a guest) the matches it may not see, once read: what decides it
    #: (visibility, the products listed for a company or tier) changes the catalog revision, and with it
    #: the kept search
    unseen_by_viewer: dict[visibility.Viewer, frozenset[int]] = field(default_factory=dict, compare=False)

    def total(self, unseen: set[int], wanted: set[int] | None) -> int:
        """How many matches a viewer sees (less `unseen`) in the `wanted` categories (None: all)."""
        if wanted is None:
            return len(self.ids) - len(unseen)
        return (sum(self.per_category.get(c, 0) for c in wanted)
                - sum(1 for u in unseen if self.restricted.get(u) in wanted))

    def page(self, unseen: set[int], wanted: set[int] | None, start: int, size: int) -> list[int]:
        """The ids of one page of what a viewer sees, in listing order."""
        found: list[int] = []
        skip = start
        for i, c in zip(self.ids, self.categories):
            if i in unseen or (wanted is not None and c not in wanted):
                continue
            if skip:
                skip -= 1
                continue
            found.append(i)
            if len(found) == size:
                break
        return found


_kept: OrderedDict[tuple, Matches] = OrderedDict()
_kept_ids = 0
_keeping = threading.Lock()


def key(search_revision: str, catalog_revision: str, typed: Iterable[str]) -> tuple:
    return search_revision, catalog_revision, tuple(typed)


def kept(search_key: tuple) -> Matches | None:
    with _keeping:
        found = _kept.get(search_key)
        if found is not None:
            _kept.move_to_end(search_key)
        return found


def keep(search_key: tuple, matches: Matches) -> None:
    global _kept_ids
    if len(matches.ids) > KEPT_IDS:
        return
    with _keeping:
        previous = _kept.pop(search_key, None)
        _kept_ids -= len(previous.ids) if previous is not None else 0
        _kept[search_key] = matches
        _kept_ids += len(matches.ids)
        while _kept_ids > KEPT_IDS or len(_kept) > KEPT_SEARCHES:
            _, dropped = _kept.popitem(last=False)
            _kept_ids -= len(dropped.ids)


def forget_all() -> None:
    """Drop every kept search (the revisions make this unnecessary but in tests of the keeping itself)."""
    global _kept_ids
    with _keeping:
        _kept.clear()
        _kept_ids = 0


# --- the statements ----------------------------------------------------------------------------------

def find(viewer: visibility.Viewer, words: list[str]) -> tuple[Matches, set[int]]:
    """Every product matching the words (one statement): kept form, and those this viewer may not see.

    The statement lists the matches by name, each with its rank only when they are at most BROAD (the
    rank of every match of a broad search is never worked out); ranked, they are then ordered by rank,
    the name order breaking ties: (rank, name, id)."""
    params = {**visibility.params_of(viewer), catalog_search.WORDS_PARAM: catalog_search.expression(words),
              "broad": BROAD}
    rows = read(_matches_statement(reading.dialect(), visibility.shape_of(viewer)), params).all()
    broad = len(rows) > BROAD
    if not broad:
        rows.sort(key=lambda r: r.rank)  # stable: equal ranks stay by name, id
    per_category: dict[int, int] = {}
    for r in rows:
        per_category[r.category_id or 0] = per_category.get(r.category_id or 0, 0) + 1
    matches = Matches(tuple(words), array("q", (r.id for r in rows)), array("q", (r.category_id or 0 for r in rows)),
                      broad, per_category, {r.id: r.category_id or 0 for r in rows if r.restricted})
    unseen_here = frozenset(r.id for r in rows if not r.visible)
    keep_unseen(matches, viewer, unseen_here)
    return matches, unseen_here


#: viewers whose unseen matches a kept search keeps
KEPT_VIEWERS = 64


def unseen(viewer: visibility.Viewer, matches: Matches) -> frozenset[int]:
    """The kept matches this viewer may not see: read once per viewer (one statement; none when every match
    is for everyone), then kept with the search."""
    if not matches.restricted:
        return frozenset()
    found = matches.unseen_by_viewer.get(viewer)
    if found is None:
        engine = reading.dialect()
        params = {**visibility.params_of(viewer),
                  "restricted_ids": reading.list_value(sorted(matches.restricted), engine)}
        found = frozenset(read(_unseen_statement(visibility.shape_of(viewer), engine), params).scalars())
        keep_unseen(matches, viewer, found)
    return found


def keep_unseen(matches: Matches, viewer: visibility.Viewer, found: frozenset[int]) -> None:
    with _keeping:
        if len(matches.unseen_by_viewer) >= KEPT_VIEWERS:
            matches.unseen_by_viewer.clear()
        matches.unseen_by_viewer[viewer] = found


def cards(ids: list[int]) -> list[ProductRow]:
    """The cards of these products, in this order (one statement)."""
    if not ids:
        return []
    engine = reading.dialect()
    found = {r.id: r for r in read(_cards_statement(engine), {"card_ids": reading.list_value(ids, engine)})}
    return [ProductRow(card(found[i]), found[i].image_id) for i in ids if i in found]


def _for_everyone():
    return and_(Product.visibility == ProductVisibility.all, Product.guest_visible.is_(True))


@lru_cache(maxsize=8)
def _matches_statement(dialect: str, viewer: tuple[bool, bool]) -> Select:
    found = catalog_search.bound_match(dialect)
    everyone = select(func.count()).select_from(found.joined).where(found.where).scalar_subquery()
    return (select(Product.id, Product.category_id,
                   case((_for_everyone(), False), else_=True).label("restricted"),
                   case((visibility.bound_visible_clause(viewer), True), else_=False).label("visible"),
                   case((everyone <= bindparam("broad"), found.rank), else_=None).label("rank"))
            .join(found.joined, found.onclause).where(found.where).order_by(Product.name, Product.id))


@lru_cache(maxsize=8)
def _unseen_statement(viewer: tuple[bool, bool], engine: str) -> Select:
    return select(Product.id).where(reading.in_ids(Product.id, "restricted_ids", engine),
                                    visibility.bound_unseen_clause(viewer))


@lru_cache(maxsize=2)
def _cards_statement(engine: str) -> Select:
    return (select(*CARD_COLUMNS, first_image().label("image_id"))
            .outerjoin(StockLevel, StockLevel.product_id == Product.id)
            .where(reading.in_ids(Product.id, "card_ids", engine)))
