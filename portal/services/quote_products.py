"""Products staff may put on a customer's quote: found by SKU or name, priced for that customer.

The quote builder's product picker asks here; only products the company may see are offered, each
with the unit price the one pricing function gives that company at the quantity asked.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select

from portal.extensions import db
from portal.models import Company, Product
from portal.services import cart
from portal.services.visibility import Viewer, visible_clause

LIMIT = 10
MAX_WORDS = 5


@dataclass(frozen=True)
class ProductChoice:
    sku: str
    name: str
    unit: str
    tax_rate: Decimal
    #: the company's unit price at the quantity (None: the product has no price for it)
    unit_price: Decimal | None
    list_price: Decimal | None
    currency: str
    #: what set the price: "list", "break", "promotion" or "contract"
    source: str

    def as_json(self) -> dict:
        def text(value):
            return None if value is None else f"{value:f}"
        return {"sku": self.sku, "name": self.name, "unit": self.unit, "tax_rate": text(self.tax_rate),
                "unit_price": text(self.unit_price), "list_price": text(self.list_price),
                "currency": self.currency, "source": self.source}


def _like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(company: Company, text: str, quantity: Decimal = Decimal(1), limit: int = LIMIT) -> list[ProductChoice]:
    """Products the company may see whose SKU or name holds every typed word; an exact SKU first,
    then SKUs starting with what was typed, then by name."""
    typed = (text or "").strip()
    words = typed.lower().split()[:MAX_WORDS]
    if not words:
        return []
    sku, name = func.lower(Product.sku), func.lower(Product.name)
    matches = [or_(sku.like(f"%{_like(w)}%", escape="\\"), name.like(f"%{_like(w)}%", escape="\\"))
               for w in words]
    rank = case((sku == typed.lower(), 0), (sku.like(f"{_like(typed.lower())}%", escape="\\"), 1), else_=2)
    products = db.session.execute(
        select(Product).where(and_(*matches), visible_clause(Viewer.of(company)))
        .order_by(rank, Product.name, Product.id).limit(limit)).scalars().all()
    book = cart.price_book(company, products)
    choices = []
    for product in products:
        price = book.price(product.id, quantity)
        choices.append(ProductChoice(
            sku=product.sku, name=product.name, unit=product.unit or "pcs", tax_rate=product.tax_rate,
            unit_price=price.unit if price else None, list_price=price.list_unit if price else None,
            currency=price.currency if price else company.currency, source=price.source if price else ""))
    return choices
