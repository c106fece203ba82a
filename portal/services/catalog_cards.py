"""A catalog card's data: the columns of a product a page of products shows, read as plain rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select

from portal.models import Product, ProductImage, StockLevel

_ZERO = Decimal(0)


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



#: a product card's columns (no description), then its stock level's
CARD_COLUMNS = (Product.id, Product.sku, Product.name, Product.category_id, Product.unit, Product.pack_size,
                 Product.min_order_qty, Product.order_increment, StockLevel.product_id.label("stock_of"),
                 StockLevel.on_hand, StockLevel.reserved, StockLevel.incoming, StockLevel.incoming_date)


def card(r) -> Card:
    stock = None
    if r.stock_of is not None:
        stock = CardStock((r.on_hand or _ZERO) - (r.reserved or _ZERO), r.incoming, r.incoming_date)
    return Card(r.id, r.sku, r.name, r.category_id, r.unit, r.pack_size, r.min_order_qty, r.order_increment, stock)




def first_image():
    """The id of the product's first picture (a scalar subquery correlated to Product), for the thumbnail."""
    return (select(ProductImage.id).where(ProductImage.product_id == Product.id)
            .order_by(ProductImage.position, ProductImage.id).limit(1).correlate(Product).scalar_subquery())
