"""Catalog: categories, products, price tiers and every kind of price, stock."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import MONEY, PERCENT, QTY, Model, created_column, currency_column


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
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="SET NULL"), index=True)
    unit: Mapped[str] = mapped_column(String(20), default="pcs")
    #: visible in the portal shop (and the guest catalog when guest access is on)
    is_visible: Mapped[bool] = mapped_column(Boolean, default=True)
    #: hidden products stay orderable by staff only; guests never see these
    guest_visible: Mapped[bool] = mapped_column(Boolean, default=True)
    #: minimum order quantity and order multiple
    min_order_qty: Mapped[Decimal] = mapped_column(QTY, default=Decimal(1))
    tax_rate: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal("21.00"))
    image_path: Mapped[str | None] = mapped_column(String(255))
    created_dt: Mapped[datetime] = created_column()

    category: Mapped[Category | None] = relationship()
    prices: Mapped[list[ProductPrice]] = relationship(back_populates="product", cascade="all, delete-orphan")
    stock: Mapped[StockLevel | None] = relationship(back_populates="product", uselist=False, cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


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
    __table_args__ = (UniqueConstraint("product_id", "tier_id"),)
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
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
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
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"))
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
