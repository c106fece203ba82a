"""What a customer pays for a product: one pure function, fed by a price book loaded in bulk.

The same function prices the catalog, the cart, the order, a quote request and a reorder, so a
customer pays what they saw. Precedence, each step documented and tested:

1. List price at the quantity: the product's price in the company's price tier (the default tier
   when the company has none, or the product has no price in it), lowered by the best quantity
   break the quantity reaches (a break for that tier or for all tiers).
2. Promotion: the best promotion valid today — for the product, its category or a parent
   category, or for everything — takes its percentage off that list price.
3. Contract price: a price agreed with the company for the product, valid today, in the same
   currency. The customer pays the lower of the contract price and the result of step 2 (a
   contract never makes a product dearer; promotions do not stack on a contract price).
4. Discounts: the blanket portal discount (settings) and the company's own discount both apply,
   one after the other — they stack: 10% and 5% make 14.5% off.
5. The unit price is rounded half-up to cents once, at the end; a line costs unit × quantity.

Guests are priced at the guest tier chosen in the settings, without contract or company discount
(and without prices at all when no guest tier is chosen).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from sqlalchemy import Date, Integer, bindparam, literal, null, or_, select, union_all

from portal import reading
from portal.extensions import db
from portal.models import Category, Company, ContractPrice, PriceBreak, PriceTier, ProductPrice, Promotion
from portal.reading import rows as read

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


# --- the pure part --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PriceInputs:
    """Everything that decides one product's price for one customer (no database)."""

    #: the list price in the customer's tier (or the default tier); None: the product has no price
    list_price: Decimal | None
    currency: str = "EUR"
    #: (from quantity, unit price) breaks that apply to the customer's tier
    breaks: tuple[tuple[Decimal, Decimal], ...] = ()
    #: the best promotion valid today: (percent off, its name)
    promotion: tuple[Decimal, str] | None = None
    contract_price: Decimal | None = None
    #: blanket portal discount and the company's own discount, percent
    discounts: tuple[Decimal, ...] = ()


@dataclass(frozen=True)
class Price:
    unit: Decimal
    currency: str
    #: the list price for one unit: what "you save" is measured against
    list_unit: Decimal
    #: what set the price before the discounts: "list", "break", "promotion" or "contract"
    source: str
    promotion_name: str = ""
    discounts: tuple[Decimal, ...] = ()

    @property
    def saving(self) -> Decimal:
        """How much less than the list price one unit costs (never negative)."""
        return max(self.list_unit - self.unit, ZERO)

    def line_total(self, quantity: Decimal) -> Decimal:
        return (self.unit * Decimal(quantity)).quantize(CENT, rounding=ROUND_HALF_UP)


def price_for(inputs: PriceInputs, quantity: Decimal = Decimal(1)) -> Price | None:
    """The unit price for `quantity`, by the precedence in this module's docstring; None: no price."""
    if inputs.list_price is None:
        return None
    quantity = Decimal(quantity)
    price, source = inputs.list_price, "list"
    for min_qty, break_price in inputs.breaks:
        if quantity >= min_qty and break_price < price:
            price, source = break_price, "break"
    promotion_name = ""
    if inputs.promotion is not None and inputs.promotion[0] > 0:
        percent, promotion_name = inputs.promotion
        price, source = price * (HUNDRED - min(percent, HUNDRED)) / HUNDRED, "promotion"
    if inputs.contract_price is not None and inputs.contract_price <= price:
        price, source, promotion_name = inputs.contract_price, "contract", ""
    applied = tuple(d for d in inputs.discounts if d > 0)
    for percent in applied:
        price = price * (HUNDRED - min(percent, HUNDRED)) / HUNDRED
    unit = max(price, ZERO).quantize(CENT, rounding=ROUND_HALF_UP)
    return Price(unit=unit, currency=inputs.currency, list_unit=inputs.list_price.quantize(CENT, ROUND_HALF_UP),
                 source=source, promotion_name=promotion_name, discounts=applied)


# --- who is buying ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Buyer:
    """Whose prices: a customer company, or a guest at a tier (tier_id None: guests see no prices)."""

    company: Company | None
    tier_id: int | None
    discounts: tuple[Decimal, ...] = ()

    @property
    def is_guest(self) -> bool:
        return self.company is None


def buyer_for(company: Company, blanket_discount: Decimal) -> Buyer:
    return Buyer(company=company, tier_id=company.price_tier_id,
                 discounts=(Decimal(blanket_discount or 0), Decimal(company.discount_percent or 0)))


def guest_buyer(tier_code: str) -> Buyer:
    """A visitor of the guest catalog, priced at the guest tier (no tier: no prices)."""
    tier_id = None
    if tier_code:
        tier_id = db.session.execute(select(PriceTier.id).where(PriceTier.code == tier_code)).scalar_one_or_none()
    return Buyer(company=None, tier_id=tier_id)


# --- the price book: a page of products priced with a fixed number of queries ---------------------

@dataclass
class PriceBook:
    buyer: Buyer
    inputs: dict[int, PriceInputs] = field(default_factory=dict)

    def price(self, product_id: int, quantity: Decimal = Decimal(1)) -> Price | None:
        inputs = self.inputs.get(product_id)
        return price_for(inputs, quantity) if inputs is not None else None

    def price_breaks(self, product_id: int) -> list[tuple[Decimal, Price]]:
        """(from quantity, price at that quantity) for the product's breaks: the price-break table."""
        inputs = self.inputs.get(product_id)
        if inputs is None or inputs.list_price is None:
            return []
        rows = []
        for min_qty in sorted({q for q, _ in inputs.breaks}):
            price = price_for(inputs, min_qty)
            if price is not None:
                rows.append((min_qty, price))
        return rows


def load_price_book(buyer: Buyer, products: Iterable[tuple[int, int | None]], today: date,
                    category_parents: dict[int, int | None] | None = None) -> PriceBook:
    """Price inputs for (product id, category id) pairs in one statement, whatever their number: list
    prices, breaks, contract prices and today's promotions together. Pass the category tree
    (id -> parent id) when the page has it already; else a second statement reads it when a
    promotion is for a category."""
    categories_of = dict(products)
    ids = sorted(categories_of)
    book = PriceBook(buyer)
    if not ids or (buyer.is_guest and buyer.tier_id is None):
        return book
    lineages: dict[int | None, set[int]] = {}
    if category_parents is not None:
        lineages = {c: _ancestors(c, category_parents) for c in set(categories_of.values())}
    statement, params = _price_rows(buyer, ids, today, lineages, category_parents)
    rows = read(statement, params).all()
    lists: dict[int, tuple[Decimal, str, int, bool]] = {}  # product -> price, currency, tier, is own tier
    breaks: dict[int, dict[int | None, dict[Decimal, Decimal]]] = {}
    contracts: dict[tuple[int, str], Decimal] = {}
    offers: list[tuple[int | None, int | None, Decimal, str]] = []
    for kind, product_id, tier_id, min_qty, price, currency, own in rows:
        price = Decimal(price)
        if kind == "list":
            current = lists.get(product_id)
            if current is None or (own and not current[3]):
                lists[product_id] = (price, currency, tier_id, bool(own))
        elif kind == "break":
            breaks.setdefault(product_id, {}).setdefault(tier_id, {})[Decimal(min_qty)] = price
        elif kind == "promotion":  # product or none, category (in the tier column) or none, percent, name
            offers.append((product_id, tier_id, price, currency))
        else:
            key = (product_id, currency)
            contracts[key] = min(price, contracts.get(key, price))
    if category_parents is None and any(c is not None and p is None for p, c, _, _ in offers):
        category_parents = dict(db.session.execute(select(Category.id, Category.parent_id)).all())
    promotions = _best_promotions(offers, categories_of, lineages, category_parents or {})
    for product_id in ids:
        if product_id not in lists:
            continue
        price, currency, tier_id, _ = lists[product_id]
        by_tier = breaks.get(product_id, {})
        merged = {**by_tier.get(None, {}), **by_tier.get(tier_id, {})}  # the tier's own break wins
        book.inputs[product_id] = PriceInputs(
            list_price=price, currency=currency, breaks=tuple(sorted(merged.items())),
            promotion=promotions.get(product_id), contract_price=contracts.get((product_id, currency)),
            discounts=buyer.discounts)
    return book


def _price_rows(buyer: Buyer, ids: Sequence[int], today: date, lineages: dict[int | None, set[int]],
                category_parents: dict[int, int | None] | None):
    """One statement and its parameters: ("list" | "break" | "contract" | "promotion", product, tier,
    min qty, price, currency, own tier); a promotion row is (product, category, percent, name) in those
    columns. The statement is built once per shape (guest or customer, promotions filtered or not) and
    kept: each page only binds its values."""
    filtered, engine = category_parents is not None, reading.dialect()
    params = {"ids": reading.list_value(ids, engine), "today": today,
              "own_tier": buyer.tier_id if buyer.tier_id is not None else -1,
              "company_id": buyer.company.id if buyer.company is not None else -1,
              "categories": reading.list_value(set().union(*lineages.values()) if filtered and lineages else [], engine)}
    return _price_statement(buyer.is_guest, filtered, engine), params


@lru_cache(maxsize=8)
def _price_statement(guest: bool, filtered: bool, engine: str):
    today = bindparam("today", type_=Date)

    def among_ids(column):
        return reading.in_ids(column, "ids", engine)
    own_tier = bindparam("own_tier", type_=Integer)
    default_tier = select(PriceTier.id).where(PriceTier.is_default.is_(True)).scalar_subquery()
    if guest:
        tier_match = ProductPrice.tier_id == own_tier
    else:
        tier_match = or_(ProductPrice.tier_id == own_tier, ProductPrice.tier_id == default_tier)
    lists = select(literal("list").label("kind"), ProductPrice.product_id, ProductPrice.tier_id,
                   null().label("min_qty"), ProductPrice.price, ProductPrice.currency,
                   (ProductPrice.tier_id == own_tier).label("own")
                   ).where(among_ids(ProductPrice.product_id), tier_match)
    breaks = select(literal("break"), PriceBreak.product_id, PriceBreak.tier_id, PriceBreak.min_qty,
                    PriceBreak.price, PriceBreak.currency, literal(False)
                    ).where(among_ids(PriceBreak.product_id))
    # Today's promotions. With the category tree at hand only those that can apply to these products
    # (theirs, their categories' and parents', everyone's); without it, all of today's.
    valid = [Promotion.is_active.is_(True),
             or_(Promotion.starts_on.is_(None), Promotion.starts_on <= today),
             or_(Promotion.ends_on.is_(None), Promotion.ends_on >= today)]
    if filtered:
        valid.append(or_(among_ids(Promotion.product_id),
                         reading.in_ids(Promotion.category_id, "categories", engine),
                         (Promotion.product_id.is_(None) & Promotion.category_id.is_(None))))
    promotions = select(literal("promotion"), Promotion.product_id, Promotion.category_id, null(),
                        Promotion.discount_percent, Promotion.name, literal(False)).where(*valid)
    statements = [lists, breaks, promotions]
    if not guest:
        statements.append(select(
            literal("contract"), ContractPrice.product_id, null(), null(), ContractPrice.price,
            ContractPrice.currency, literal(False)
        ).where(ContractPrice.company_id == bindparam("company_id", type_=Integer), among_ids(ContractPrice.product_id),
                or_(ContractPrice.valid_from.is_(None), ContractPrice.valid_from <= today),
                or_(ContractPrice.valid_until.is_(None), ContractPrice.valid_until >= today)))
    return union_all(*statements)


def _best_promotions(offers: list[tuple[int | None, int | None, Decimal, str]], categories_of: dict[int, int | None],
                     lineages: dict[int | None, set[int]],
                     category_parents: dict[int, int | None]) -> dict[int, tuple[Decimal, str]]:
    """product -> the best promotion valid today: its own, its category's (or a parent's), or everyone's."""
    if not offers:
        return {}
    # the best offer per product, per category and for everyone: a product looks up only its own
    for_all: tuple[Decimal, str] = (ZERO, "")
    by_product: dict[int, tuple[Decimal, str]] = {}
    by_category: dict[int, tuple[Decimal, str]] = {}
    for product_id, category_id, percent, name in offers:
        offer = (Decimal(percent or 0), name)
        if product_id is not None:
            if offer[0] > by_product.get(product_id, (ZERO, ""))[0]:
                by_product[product_id] = offer
        elif category_id is not None:
            if offer[0] > by_category.get(category_id, (ZERO, ""))[0]:
                by_category[category_id] = offer
        elif offer[0] > for_all[0]:
            for_all = offer
    best: dict[int, tuple[Decimal, str]] = {}
    for product_id, category_id in categories_of.items():
        if category_id not in lineages:
            lineages[category_id] = _ancestors(category_id, category_parents)
        found = for_all
        for offer in [by_product.get(product_id)] + [by_category.get(c) for c in sorted(lineages[category_id])]:
            if offer is not None and offer[0] > found[0]:
                found = offer
        if found[0] > 0:
            best[product_id] = found
    return best


def _ancestors(category_id: int | None, parents: dict[int, int | None]) -> set[int]:
    seen: set[int] = set()
    while category_id is not None and category_id not in seen:
        seen.add(category_id)
        category_id = parents.get(category_id)
    return seen
