"""Which products a viewer may see: the one place the portal applies product visibility.

A product is visible to a customer company when its visibility is "all", or "restricted" and the
company (or its price tier) is listed for it; "hidden" products are seen by nobody in the portal.
Guests see only products visible to all and marked for guests. A product a viewer may not see is a
404 everywhere: catalog, search, product page, quick order, purchase lists, reorder.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, exists, literal, not_, or_, select

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
    kind = _kind()
    if viewer.company_id is None:
        return and_(kind == ProductVisibility.all.value, Product.guest_visible.is_(True))
    listed = exists(select(product_company_visibility.c.product_id).where(
        product_company_visibility.c.product_id == Product.id,
        product_company_visibility.c.company_id == viewer.company_id))
    if viewer.tier_id is not None:
        listed = or_(listed, exists(select(product_tier_visibility.c.product_id).where(
            product_tier_visibility.c.product_id == Product.id,
            product_tier_visibility.c.tier_id == viewer.tier_id)))
    return or_(kind == ProductVisibility.all.value, and_(kind == ProductVisibility.restricted.value, listed))


def unseen_clause(viewer: Viewer):
    """A WHERE clause on Product for what this viewer may NOT see, led by terms the visibility index
    serves (the products not everyone sees are few: found without reading the others)."""
    few = Product.visibility.in_([ProductVisibility.hidden, ProductVisibility.restricted])
    if viewer.company_id is None:
        few = or_(few, and_(Product.visibility == ProductVisibility.all, Product.guest_visible.is_(False)))
    return and_(few, not_(visible_clause(viewer)))


def visible(query: Select, viewer: Viewer) -> Select:
    """Limit a select over Product to what the viewer may see."""
    return query.where(visible_clause(viewer))
