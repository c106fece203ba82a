"""A purchase list at today's prices, and putting it (or products chosen elsewhere) in the cart.

Lines whose product the company may no longer see are left out of the priced list (and counted);
putting lines in the cart names each product that cannot go in and adds the others through
services.cart.add_many (visibility, minimum and step quantities, today's prices).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal.extensions import db
from portal.models import Company, Product, PurchaseList, PurchaseListItem
from portal.services import cart, pricing
from portal.services.actor import Actor
from portal.services.errors import RuleError
from portal.services.visibility import Viewer, visible_clause


class NothingChosen(RuleError):
    """No line was ticked."""


# --- reading a list with today's prices -----------------------------------------------------------------

@dataclass
class Line:
    item: PurchaseListItem
    product: Product
    price: pricing.Price | None

    @property
    def unit_price(self) -> Decimal | None:
        return self.price.unit if self.price is not None else None

    @property
    def line_total(self) -> Decimal | None:
        return self.price.line_total(self.item.quantity) if self.price is not None else None


@dataclass
class Priced:
    plist: PurchaseList
    lines: list[Line]
    #: lines whose product the company may no longer see (not shown)
    unavailable: int
    currency: str


def load(company: Company, plist: PurchaseList) -> Priced:
    """The list's lines the company may see, in the list's order, priced today (a fixed number of queries)."""
    visible = visible_clause(Viewer.of(company)).label("visible")
    rows = db.session.execute(
        select(PurchaseListItem, visible).join(PurchaseListItem.product).outerjoin(Product.stock)
        .options(contains_eager(PurchaseListItem.product).contains_eager(Product.stock))
        .where(PurchaseListItem.purchase_list_id == plist.id)
        .order_by(PurchaseListItem.position, PurchaseListItem.id)).unique().all()
    shown = [item for item, is_visible in rows if is_visible]
    book = cart.price_book(company, [item.product for item in shown])
    lines = [Line(item, item.product, book.price(item.product_id, item.quantity)) for item in shown]
    currency = next((ln.price.currency for ln in lines if ln.price is not None), company.currency)
    return Priced(plist, lines, len(rows) - len(shown), currency)


# --- into the cart ----------------------------------------------------------------------------------------

@dataclass
class CartOutcome:
    added: list[str] = field(default_factory=list)
    #: what was not added, one sentence per product, naming it
    problems: list[str] = field(default_factory=list)


def add_to_cart(actor: Actor, company: Company, plist: PurchaseList, item_ids=None) -> CartOutcome:
    """Put the list's lines (all, or those with the given ids) in the actor's cart at today's prices.

    A product the company may no longer see is reported by name and left out; the others go through
    cart.add_many (one price book and one cart read, whatever the number of lines)."""
    query = (select(PurchaseListItem).join(PurchaseListItem.product)
             .options(contains_eager(PurchaseListItem.product))
             .where(PurchaseListItem.purchase_list_id == plist.id)
             .order_by(PurchaseListItem.position, PurchaseListItem.id))
    if item_ids is not None:
        ids = {int(i) for i in item_ids if str(i).isdigit()}
        if not ids:
            raise NothingChosen("Tick the lines to put in your cart.")
        query = query.where(PurchaseListItem.id.in_(ids))
    items = list(db.session.execute(query).scalars())
    return products_to_cart(actor, company, [(item.product, item.quantity) for item in items],
                            source=f"purchase list {plist.id}")


def products_to_cart(actor: Actor, company: Company, wanted: list[tuple[Product, Decimal]], *,
                     source: str) -> CartOutcome:
    """Products (checked for visibility here) into the cart; what cannot go in is reported by name."""
    visible = cart.visible_products(company, [product.id for product, _ in wanted])
    outcome, addable = CartOutcome(), []
    for product, quantity in wanted:
        if product.id in visible:
            addable.append((visible[product.id], quantity))
        else:
            outcome.problems.append(f"{product.name} is no longer available.")
    if addable:
        for (product, _quantity), problem in zip(addable, cart.add_many(actor, company, addable, source=source),
                                                 strict=True):
            if problem:
                outcome.problems.append(problem)
            else:
                outcome.added.append(product.name)
    return outcome
