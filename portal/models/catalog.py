"""Catalog: categories, products, price tiers and every kind of price, stock."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import MONEY, PERCENT, QTY, Model, created_column, currency_column


class ProductVisibility(enum.StrEnum):
    #: every customer (and guests, when `guest_visible` and the guest catalog is on)
    all = "all"
    #: nobody in the portal; staff still use it (past orders, quotes)
    hidden = "hidden"
    #: only the companies and price tiers listed for the product; never guests
    restricted = "restricted"


#: restricted products: the price tiers whose customers may see them
product_tier_visibility = Table(
    "product_tier_visibility",
    Model.metadata,
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
    Column("tier_id", ForeignKey("price_tier.id", ondelete="CASCADE"), primary_key=True, index=True),
)

#: restricted products: the companies that may see them
product_company_visibility = Table(
    "product_company_visibility",
    Model.metadata,
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
    Column("company_id", ForeignKey("company.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Category(Model):
    __tablename__ = "category"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped[Category | None] = relationship(remote_side=[id])

    def __str__(self) -> str:
        return self.name


class Product(Model):
    __tablename__ = "product"
    #: the catalog counts what each viewer may see per category from this index alone
    __table_args__ = (Index("ix_product_category_visibility", "category_id", "visibility", "guest_visible"),
                      # the few products not everyone sees, found without reading the others
                      Index("ix_product_visibility_guest", "visibility", "guest_visible"),
                      # "newest first" walks this instead of sorting the catalog
                      Index("ix_product_created", "created_dt", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="SET NULL"), index=True)
    unit: Mapped[str] = mapped_column(String(20), default="pcs")
    #: who sees it in the portal (services.visibility is the one place that applies it)
    visibility: Mapped[ProductVisibility] = mapped_column(Enum(ProductVisibility, native_enum=False, length=16),
                                                          default=ProductVisibility.all, server_default="all")
    #: also shown in the guest catalog (only with visibility "all")
    guest_visible: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the smallest quantity a customer may order
    min_order_qty: Mapped[Decimal] = mapped_column(QTY, default=Decimal(1))
    #: orders go up in steps of this quantity (from the minimum)
    order_increment: Mapped[Decimal] = mapped_column(QTY, default=Decimal(1), server_default="1")
    #: how many units one pack holds (shown to the customer, e.g. "box of 100")
    pack_size: Mapped[Decimal] = mapped_column(QTY, default=Decimal(1), server_default="1")
    tax_rate: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal("21.00"))
    image_path: Mapped[str | None] = mapped_column(String(255))
    created_dt: Mapped[datetime] = created_column()

    category: Mapped[Category | None] = relationship()
    visible_to_tiers: Mapped[list[PriceTier]] = relationship(secondary=product_tier_visibility)
    visible_to_companies: Mapped[list[Company]] = relationship(secondary=product_company_visibility)  # noqa: F821
    images: Mapped[list[ProductImage]] = relationship(back_populates="product", cascade="all, delete-orphan",
                                                      order_by="ProductImage.position")
    prices: Mapped[list[ProductPrice]] = relationship(back_populates="product", cascade="all, delete-orphan")
    stock: Mapped[StockLevel | None] = relationship(back_populates="product", uselist=False, cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class ProductImage(Model):
    """A picture of a product, uploaded by staff (stored through the upload service)."""

    __tablename__ = "product_image"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    #: generated storage name (never the uploaded file's name)
    path: Mapped[str] = mapped_column(String(255))
    alt_text: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    product: Mapped[Product] = relationship(back_populates="images")


class PriceTier(Model):
    __tablename__ = "price_tier"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    #: used for customers without a tier of their own
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    def __str__(self) -> str:
        return self.name


class ProductPrice(Model):
    """The list price of a product in one tier."""

    __tablename__ = "product_price"
    #: (tier, price): a list sorted by price starts from each tier's cheapest (services.catalog_price_order)
    __table_args__ = (UniqueConstraint("product_id", "tier_id"), Index("ix_product_price_tier_price", "tier_id", "price"))
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("price_tier.id", ondelete="CASCADE"))
    price: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = currency_column()

    product: Mapped[Product] = relationship(back_populates="prices")
    tier: Mapped[PriceTier] = relationship()


class PriceBreak(Model):
    """Quantity break: from min_qty on, the unit price in a tier (or all tiers) is lower."""

    __tablename__ = "price_break"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    tier_id: Mapped[int | None] = mapped_column(ForeignKey("price_tier.id", ondelete="CASCADE"))
    min_qty: Mapped[Decimal] = mapped_column(QTY)
    price: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = currency_column()

    product: Mapped[Product] = relationship()
    tier: Mapped[PriceTier | None] = relationship()


class ContractPrice(Model):
    """A price agreed with one customer for one product, optionally time-bound."""

    __tablename__ = "contract_price"
    __table_args__ = (Index("ix_contract_price_company_product", "company_id", "product_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    price: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = currency_column()
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)

    company: Mapped[Company] = relationship()  # noqa: F821
    product: Mapped[Product] = relationship()


class Promotion(Model):
    """A time-bound percentage off a product, a category, or everything."""

    __tablename__ = "promotion"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"), index=True)
    discount_percent: Mapped[Decimal] = mapped_column(PERCENT)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    product: Mapped[Product | None] = relationship()
    category: Mapped[Category | None] = relationship()

    def __str__(self) -> str:
        return self.name


class StockLevel(Model):
    __tablename__ = "stock_level"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), unique=True)
    on_hand: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    #: reserved by open orders, not yet shipped
    reserved: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    #: ordered from suppliers, not yet received
    incoming: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    incoming_date: Mapped[date | None] = mapped_column(Date)
    #: below this the portal shows "low stock"
    low_stock_threshold: Mapped[Decimal] = mapped_column(QTY, default=Decimal(5))
    updated_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    product: Mapped[Product] = relationship(back_populates="stock")

    @property
    def available(self) -> Decimal:
        return (self.on_hand or Decimal(0)) - (self.reserved or Decimal(0))
