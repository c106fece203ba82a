"""Sorting a large catalog by price without ordering all of it: the page is looked for among the cheapest
products of each price tier it is sorted by, read from the (tier, price) index.

A product's sort price is its list price in the viewer's tier, for customers the default tier's where it
has none there (``catalog._list_price``). For each of those tiers take its *end*, the ``window``-th
cheapest price (its dearest when it has fewer), and every product priced at most at the end in that
tier. Every product whose sort price is at most both ends is among those taken: if its price in the
viewer's tier counts, that price is at most that tier's end, so it was taken there; if the default
tier's counts, it was taken there. Whole groups of equal prices are taken, so within the taken
products, those at most at both ends, filtered as the page asks and sorted as usual (price, name), are
exactly the first ones of the whole sorted list. When there are enough of them for the page, the page
is exact; otherwise (a narrow category, a page far down, products without a price at the end) the
catalog falls back to ordering every product. The window is sized from the share of the catalog the
list holds, so one attempt usually does.
"""
from __future__ import annotations

from sqlalchemy import and_, bindparam, func, or_, select, union

from portal.models import PriceTier, ProductPrice

#: a list sorted by price is looked for among the cheapest only when it holds more products than this
#: (ordering fewer costs less than the attempt)
SMALLEST_LIST = 2000
#: taken per product the page needs, over the share of the catalog it can come from (margin for products
#: the page filters out: hidden, restricted, out of stock)
MARGIN = 3
#: the list's products per price taken from a tier, at least: with fewer, ordering the whole list costs
#: less than taking the prices (a narrow category, a page far down)
LIST_PER_WINDOW = 4


def window(need: int, listed: int, catalog: int) -> int | None:
    """How many of each tier's cheapest prices to take for the first ``need`` products of a list of
    ``listed`` products (of ``catalog`` the viewer may see); None when ordering the list costs less."""
    if listed <= SMALLEST_LIST or catalog <= 0:
        return None
    size = int(need * MARGIN * catalog / listed) + 1
    return size if size * LIST_PER_WINDOW <= listed else None


def _default_tier():
    return select(PriceTier.id).where(PriceTier.is_default.is_(True)).scalar_subquery()


def _tiers(guest: bool, price_tier: bool) -> list:
    """The tiers the sort price comes from: the viewer's (a guest's: its own only), the default tier's."""
    own = bindparam("price_tier_id")
    if guest:
        return [own]
    return [own, _default_tier()] if price_tier else [_default_tier()]


def _end(tier):
    """The tier's ``price_window_last``-th cheapest price (counted from 0; bound), or its dearest when it
    has fewer prices; None when it has none."""
    kth = (select(ProductPrice.price).where(ProductPrice.tier_id == tier).order_by(ProductPrice.price)
           .limit(1).offset(bindparam("price_window_last")).scalar_subquery())
    return func.coalesce(kth, select(func.max(ProductPrice.price)).where(ProductPrice.tier_id == tier).scalar_subquery())


def candidates(guest: bool, price_tier: bool):
    """The ids of the products priced at most at each tier's end, in that tier (an index range)."""
    parts = [select(ProductPrice.product_id).where(ProductPrice.tier_id == tier, ProductPrice.price <= _end(tier))
             for tier in _tiers(guest, price_tier)]
    return union(*parts) if len(parts) > 1 else parts[0]


def at_most_the_ends(key, guest: bool, price_tier: bool):
    """The sort price ``key`` is at most every tier's end (a tier without prices sets none)."""
    return and_(*[or_(end.is_(None), key <= end) for end in map(_end, _tiers(guest, price_tier))])
