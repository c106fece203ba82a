"""Which products a viewer may see: the one place the portal applies product visibility.

A product is visible to a customer company when its visibility is "all", or "restricted" and the
company (or its price tier) is listed for it; "hidden" products are seen by nobody in the portal.
Guests see only products visible to all and marked for guests. A product a viewer may not see is a
404 everywhere: catalog, search, product page, quick order, purchase lists, reorder.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, bindparam, exists, literal, not_, or_, select, union

from portal.models import (
    Company,
    Product,
    ProductVisibility,
    product_company_visibility,
    product_tier_visibility,
)


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a customer company (with its tier), or a guest (company None)."""

    company_id: int | None
    tier_id: int | None

    @classmethod
    def of(cls, company: Company) -> Viewer:
        return cls(company.id, company.price_tier_id)

    @classmethod
    def guest(cls) -> Viewer:
        return cls(None, None)


def _kind():
    """The product's visibility, as an expression no index serves: nearly every product is visible to
    all, so the engine must never start from the visibility index to list what a viewer may see (it
    walks the name or category index instead, checking visibility on the way)."""
    return Product.visibility.op("||")(literal(""))


def visible_clause(viewer: Viewer):
    """A WHERE clause on Product for what this viewer may see."""
    return _visible(viewer.company_id is None, viewer.tier_id is not None, viewer.company_id, viewer.tier_id)


def unseen_clause(viewer: Viewer):
    """A WHERE clause on Product for what this viewer may NOT see, led by terms the visibility index
    serves (the products not everyone sees are few: found without reading the others)."""
    return _unseen(viewer.company_id is None, viewer.tier_id is not None, viewer.company_id, viewer.tier_id)


#: the bound parameters of ``bound_visible_clause`` / ``bound_unseen_clause``
COMPANY_PARAM, TIER_PARAM = "viewer_company_id", "viewer_tier_id"


def shape_of(viewer: Viewer) -> tuple[bool, bool]:
    """What a statement built for this viewer depends on beyond its parameters: guest, has a tier."""
    return viewer.company_id is None, viewer.tier_id is not None


def params_of(viewer: Viewer) -> dict[str, int | None]:
    """The values of a bound visibility clause's parameters for this viewer."""
    return {COMPANY_PARAM: viewer.company_id, TIER_PARAM: viewer.tier_id}


def bound_visible_clause(shape: tuple[bool, bool]):
    """``visible_clause`` for every viewer of a shape (``shape_of``), the company and tier left as bound
    parameters (``params_of``): a statement built with it once serves every request."""
    return _visible(*shape, bindparam(COMPANY_PARAM), bindparam(TIER_PARAM))


def bound_unseen_clause(shape: tuple[bool, bool]):
    """``unseen_clause`` with bound parameters, as ``bound_visible_clause``."""
    return _unseen(*shape, bindparam(COMPANY_PARAM), bindparam(TIER_PARAM))


def bound_listed_ids(has_tier: bool):
    """The ids of the products listed for the bound company, or its price tier when it has one (the
    restricted products it may see), bound as ``params_of``: a select for ``in_``."""
    listed = select(product_company_visibility.c.product_id).where(
        product_company_visibility.c.company_id == bindparam(COMPANY_PARAM))
    if has_tier:
        listed = union(listed, select(product_tier_visibility.c.product_id).where(
            product_tier_visibility.c.tier_id == bindparam(TIER_PARAM)))
    return listed


def _visible(guest: bool, has_tier: bool, company_id, tier_id):
    kind = _kind()
    if guest:
        return and_(kind == ProductVisibility.all.value, Product.guest_visible.is_(True))
    listed = exists(select(product_company_visibility.c.product_id).where(
        product_company_visibility.c.product_id == Product.id,
        product_company_visibility.c.company_id == company_id))
    if has_tier:
        listed = or_(listed, exists(select(product_tier_visibility.c.product_id).where(
            product_tier_visibility.c.product_id == Product.id,
            product_tier_visibility.c.tier_id == tier_id)))
    return or_(kind == ProductVisibility.all.value, and_(kind == ProductVisibility.restricted.value, listed))


def _unseen(guest: bool, has_tier: bool, company_id, tier_id):
    few = Product.visibility.in_([ProductVisibility.hidden, ProductVisibility.restricted])
    if guest:
        few = or_(few, and_(Product.visibility == ProductVisibility.all, Product.guest_visible.is_(False)))
    return and_(few, not_(_visible(guest, has_tier, company_id, tier_id)))


def visible(query: Select, viewer: Viewer) -> Select:
    """Limit a select over Product to what the viewer may see."""
    return query.where(visible_clause(viewer))
