"""Companies the business deals with (customers and suppliers) and their addresses."""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.accounts import Membership, User, rep_allocation
from portal.models.base import MONEY, PERCENT, Model, created_column, currency_column


class Company(Model):
    __tablename__ = "company"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: customer / supplier account code, e.g. C-1001
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(160), index=True)
    is_customer: Mapped[bool] = mapped_column(Boolean, default=True)
    is_supplier: Mapped[bool] = mapped_column(Boolean, default=False)
    #: "Allow customer portal": contacts may sign in only while this is on
    portal_access: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    tax_number: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[str] = currency_column()
    credit_limit: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    #: invoice due after this many days
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    price_tier_id: Mapped[int | None] = mapped_column(ForeignKey("price_tier.id", ondelete="SET NULL"))
    #: customer-wide discount on top of tier prices, percent
    discount_percent: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal("0.00"))
    notes: Mapped[str | None] = mapped_column(Text)
    #: order approvals, set by the customer's own Admin: orders above this total wait for approval
    approval_above: Mapped[Decimal | None] = mapped_column(MONEY)
    #: ... and every order placed by a Buyer waits for approval
    approval_for_buyers: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: extra charges on orders are shown on the portal for the customer to approve or reject;
    #: off: they stay internal and count as approved (portal.services.order_charges)
    show_charges_on_portal: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_dt: Mapped[datetime] = created_column()

    price_tier: Mapped[PriceTier | None] = relationship()  # noqa: F821
    addresses: Mapped[list[Address]] = relationship(back_populates="company", cascade="all, delete-orphan")
    memberships: Mapped[list[Membership]] = relationship(back_populates="company", cascade="all, delete-orphan")
    sales_reps: Mapped[list[User]] = relationship(secondary=rep_allocation, back_populates="allocated_companies")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class AddressKind(enum.StrEnum):
    billing = "billing"
    shipping = "shipping"


class Address(Model):
    __tablename__ = "address"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AddressKind] = mapped_column(Enum(AddressKind, native_enum=False, length=16), default=AddressKind.shipping)
    label: Mapped[str] = mapped_column(String(80), default="")
    recipient: Mapped[str | None] = mapped_column(String(120))
    line1: Mapped[str] = mapped_column(String(160))
    line2: Mapped[str | None] = mapped_column(String(160))
    city: Mapped[str] = mapped_column(String(80))
    postcode: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="NL")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    #: taken out of the address book but kept, unchanged, for the orders that used it
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    company: Mapped[Company] = relationship(back_populates="addresses")

    def __str__(self) -> str:
        return f"{self.label or self.kind}: {self.line1}, {self.postcode} {self.city}"
