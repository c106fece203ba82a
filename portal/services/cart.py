"""The cart: one per user and company (a rep has one per customer it acts for), priced live.

Lines are priced by the one pricing function (services.pricing) at the quantity in the cart, so the
cart, the order, a quote request and a reorder cost the same. Each line remembers the unit price the
customer saw when adding or changing it; a price that moved since is pointed out before ordering.
A product the company may not see cannot be added, and a line whose product became invisible is
reported instead of ordered.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from portal import settings
from portal.extensions import db
from portal.models import CartItem, Company, Product, SalesOrderLine, StockLevel
from portal.services import audit, clock, order_quantities, pricing
from portal.services.actor import Actor
from portal.services.catalog_tree import category_tree
from portal.services.errors import RuleError
from portal.services.totals import recompute_totals
from portal.services.visibility import Viewer, bound_visible_clause, params_of, shape_of, visible_clause


class CartError(RuleError):
    """The cart refused a change; the message is shown to the customer."""


class NotVisible(LookupError):
    """The product does not exist or the company may not see it (views answer 404)."""


def buyer(company: Company) -> pricing.Buyer:
    return pricing.buyer_for(company, settings.get("pricing.portal_discount_percent"))


def price_book(company: Company, products) -> pricing.PriceBook:
    """Prices of these products for the company today (two queries, whatever their number): the
    category tree kept per catalog revision tells which category promotions can apply."""
    parents = category_tree(Viewer.of(company), counted=False).parents
    return pricing.load_price_book(buyer(company), [(p.id, p.category_id) for p in products], clock.today(), parents)


def visible_products(company: Company, ids) -> dict[int, Product]:
    """The products among `ids` the company may see, by id (one query, stock loaded)."""
    ids = list(ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Product).outerjoin(Product.stock).options(contains_eager(Product.stock))
        .where(Product.id.in_(ids), visible_clause(Viewer.of(company)))).unique().scalars()
    return {p.id: p for p in rows}


def visible_product(company: Company, product_id) -> Product:
    try:
        product_id = int(product_id)
    except (TypeError, ValueError):
        raise NotVisible(product_id) from None
    product = visible_products(company, [product_id]).get(product_id)
    if product is None:
        raise NotVisible(product_id)
    return product


def shortage(product: Product, quantity: Decimal, available: Decimal | None) -> str | None:
    """Why the stock cannot cover the quantity (None: it can, or the product's stock is not kept). The
    figure left is told only where the portal shows stock numbers (setting "stock.display")."""
    if available is None or quantity <= available:
        return None
    unit = product.unit or _("pcs")
    if available <= 0:
        return _("%(product)s is out of stock now. Remove it from your cart or request a quote.", product=product.name)
    if settings.get("stock.display") == "number":
        return _("%(product)s: only %(left)s %(unit)s left, you ordered %(quantity)s. Change the quantity in your "
                 "cart.", product=product.name, left=f"{available.normalize():f}", unit=unit,
                 quantity=f"{quantity.normalize():f}")
    return _("%(product)s: not enough in stock for %(quantity)s %(unit)s. Order fewer or request a quote.",
             product=product.name, quantity=f"{quantity.normalize():f}", unit=unit)


# --- reading the cart ------------------------------------------------------------------------------

@dataclass
class CartLine:
    item: CartItem
    product: Product
    #: the company may still see the product
    visible: bool
    price: pricing.Price | None

    @property
    def quantity(self) -> Decimal:
        return self.item.quantity

    @property
    def unit_price(self) -> Decimal | None:
        return self.price.unit if self.price is not None else None

    @property
    def line_total(self) -> Decimal | None:
        return self.price.line_total(self.quantity) if self.price is not None else None

    @property
    def stock(self) -> StockLevel | None:
        return self.product.stock

    @property
    def previous_price(self) -> Decimal | None:
        """The unit price the customer saw before, when it differs from today's."""
        seen = self.item.seen_price
        if seen is None or self.price is None or seen == self.price.unit:
            return None
        return seen

    @cached_property
    def problem(self) -> str | None:
        """Why this line cannot be ordered as it is; None when it can (worked out once: a page asks
        several times per line)."""
        if not self.visible:
            return _("%(product)s is no longer available. Remove it to continue.", product=self.product.name)
        if self.price is None:
            return _("%(product)s has no price for you yet: request a quote, or remove it to order the rest.",
                     product=self.product.name)
        return order_quantities.problem(self.product, self.quantity) or shortage(
            self.product, self.quantity, self.stock.available if self.stock is not None else None)


@dataclass
class Cart:
    company: Company
    lines: list[CartLine] = field(default_factory=list)
    #: priced order lines (not in the session) and the totals they make
    order_lines: list[SalesOrderLine] = field(default_factory=list)
    subtotal: Decimal = Decimal("0.00")
    tax_total: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")

    @property
    def currency(self) -> str:
        priced = next((ln.price.currency for ln in self.lines if ln.price is not None), None)
        return priced or self.company.currency

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def problems(self) -> list[str]:
        return [ln.problem for ln in self.lines if ln.problem]

    @property
    def price_changes(self) -> list[CartLine]:
        return [ln for ln in self.lines if ln.previous_price is not None]

    @property
    def count(self) -> int:
        return len(self.lines)

    def fingerprint(self) -> str:
        """What the customer is shown: product, quantity and unit price of every line (compared at submit)."""
        return ";".join(f"{ln.product.id}:{ln.quantity.normalize():f}:{ln.unit_price}"
                        for ln in sorted(self.lines, key=lambda ln: ln.product.id))


@lru_cache(maxsize=4)
def _items_query(shape: tuple[bool, bool]):
    """The cart's lines with their products, stock and whether the company may still see each, built
    once per viewer shape (the user, company and tier are bound parameters)."""
    visible = bound_visible_clause(shape).label("visible")
    return (select(CartItem, visible).join(CartItem.product).outerjoin(Product.stock)
            .options(contains_eager(CartItem.product).contains_eager(Product.stock))
            .where(CartItem.user_id == bindparam("cart_user_id"), CartItem.company_id == bindparam("cart_company_id"))
            .order_by(CartItem.added_dt, CartItem.id))


def load(actor: Actor, company: Company) -> Cart:
    """The actor's cart for the company, every line priced today (a fixed number of queries)."""
    viewer = Viewer.of(company)
    rows = db.session.execute(_items_query(shape_of(viewer)), {
        **params_of(viewer), "cart_user_id": actor.user_id, "cart_company_id": company.id}).unique().all()
    book = price_book(company, [item.product for item, _ in rows])
    cart = Cart(company)
    for item, visible in rows:
        price = book.price(item.product_id, item.quantity) if visible else None
        cart.lines.append(CartLine(item, item.product, bool(visible), price))
    cart.order_lines = order_lines(cart)
    holder = recompute_totals(_Totals(), cart.order_lines)
    cart.subtotal, cart.tax_total, cart.total = holder.subtotal, holder.tax_total, holder.total
    return cart


class _Totals:
    subtotal = tax_total = total = Decimal("0.00")


def order_lines(cart: Cart) -> list[SalesOrderLine]:
    """The cart's orderable lines as order lines at today's prices (not added to the session)."""
    result = []
    for position, line in enumerate((ln for ln in cart.lines if ln.price is not None and ln.visible), start=1):
        result.append(SalesOrderLine(position=position, product_id=line.product.id, description=line.product.name,
                                     quantity=line.quantity, unit_price=line.price.unit,
                                     discount_percent=Decimal("0.00"), tax_rate=line.product.tax_rate))
    return result


# --- changing it -----------------------------------------------------------------------------------

def _item(actor: Actor, company: Company, product_id: int) -> CartItem | None:
    return db.session.execute(select(CartItem).where(
        CartItem.user_id == actor.user_id, CartItem.company_id == company.id,
        CartItem.product_id == product_id)).scalar_one_or_none()


def add(actor: Actor, company: Company, product_id, quantity: Decimal, *, source: str = "cart") -> CartItem:
    """Add a quantity of a visible product (to what is in the cart already). NotVisible: 404."""
    product = visible_product(company, product_id)
    for _attempt in range(2):
        item = _item(actor, company, product.id)
        total = quantity + (item.quantity if item is not None else Decimal(0))
        order_quantities.check(product, total)
        price = price_book(company, [product]).price(product.id, total)
        if item is None:
            item = CartItem(user_id=actor.user_id, company_id=company.id, product_id=product.id)
            db.session.add(item)
        item.quantity, item.seen_price = total, price.unit if price is not None else None
        try:
            db.session.flush()
        except IntegrityError:  # the same product added at the same moment (another tab): add to it
            db.session.rollback()
            continue
        audit.record("cart.added", item, company_id=company.id, actor=actor, product=product.sku,
                     quantity=quantity, source=source)
        return item
    raise CartError(_("The cart was being changed elsewhere at the same moment. Try again."))


def add_many(actor: Actor, company: Company, wanted: list[tuple[Product, Decimal]], *,
             source: str) -> list[str | None]:
    """Add several visible products at once (quick order, reorder): one query for the lines already in
    the cart and one price book, whatever their number. Returns, per entry, why it was not added
    (minimum, steps) or None. The caller made sure the products are visible."""
    ids = {product.id for product, _ in wanted}
    existing = {item.product_id: item for item in db.session.execute(select(CartItem).where(
        CartItem.user_id == actor.user_id, CartItem.company_id == company.id, CartItem.product_id.in_(ids))).scalars()}
    book = price_book(company, {product.id: product for product, _ in wanted}.values())
    outcome: list[str | None] = []
    for product, quantity in wanted:
        item = existing.get(product.id)
        total = quantity + (item.quantity if item is not None else Decimal(0))
        problem = order_quantities.problem(product, total)
        if problem:
            outcome.append(problem)
            continue
        if item is None:
            item = existing[product.id] = CartItem(user_id=actor.user_id, company_id=company.id,
                                                   product_id=product.id)
            db.session.add(item)
        price = book.price(product.id, total)
        item.quantity, item.seen_price = total, price.unit if price is not None else None
        outcome.append(None)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise CartError(_("Your cart was being changed elsewhere at the same moment. Try again.")) from None
    for (product, quantity), problem in zip(wanted, outcome, strict=True):
        if problem is None:
            audit.record("cart.added", existing[product.id], company_id=company.id, actor=actor, product=product.sku,
                         quantity=quantity, source=source)
    return outcome


def set_quantity(actor: Actor, company: Company, product_id, quantity: Decimal) -> CartItem:
    product = visible_product(company, product_id)
    item = _item(actor, company, product.id)
    if item is None:
        raise NotVisible(product_id)
    order_quantities.check(product, quantity)
    price = price_book(company, [product]).price(product.id, quantity)
    item.quantity, item.seen_price = quantity, price.unit if price is not None else None
    audit.record("cart.changed", item, company_id=company.id, actor=actor, product=product.sku, quantity=quantity)
    return item


def remove(actor: Actor, company: Company, product_id) -> bool:
    """Take a line out (also a product no longer visible); False when it was not in the cart."""
    try:
        product_id = int(product_id)
    except (TypeError, ValueError):
        return False
    item = _item(actor, company, product_id)
    if item is None:
        return False
    audit.record("cart.removed", item, company_id=company.id, actor=actor, product_id=product_id)
    db.session.delete(item)
    return True


def empty(actor: Actor, company: Company) -> None:
    """Clear the cart (after an order or a quote request); safe when another request cleared it first."""
    db.session.execute(delete(CartItem).where(CartItem.user_id == actor.user_id, CartItem.company_id == company.id)
                       .execution_options(synchronize_session=False))
