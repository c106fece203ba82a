"""Selling: quotes (sections, lines, conversation), sales orders, carts, purchase lists."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from portal.models.base import MONEY, PERCENT, QTY, Model, created_column, currency_column


class DocumentTotals:
    """Totals computed by services.totals and stored when the document is issued."""

    currency: Mapped[str] = currency_column()
    subtotal: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    tax_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))


class DocumentLine:
    """A priced line: description, quantity, unit price, discount, tax."""

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(String(255))
    quantity: Mapped[Decimal] = mapped_column(QTY, default=Decimal(1))
    unit_price: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    discount_percent: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal("0.00"))
    tax_rate: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal("21.00"))
    line_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))

    @declared_attr
    def product_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("product.id", ondelete="SET NULL"))

    @declared_attr
    def product(cls) -> Mapped[Product | None]:  # noqa: F821
        return relationship("Product")


class QuoteStatus(enum.StrEnum):
    requested = "requested"  # asked for by the customer, not priced yet
    draft = "draft"
    sent = "sent"
    changes_requested = "changes_requested"
    accepted = "accepted"
    #: accepted while the finance approval gate is on: finance reviews it before billing
    ready_for_billing = "ready_for_billing"
    declined = "declined"
    expired = "expired"


class Quote(DocumentTotals, Model):
    __tablename__ = "quote"
    #: the customer's quote list: one company, newest first
    __table_args__ = (Index("ix_quote_company_created", "company_id", "created_dt", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(30), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[QuoteStatus] = mapped_column(Enum(QuoteStatus, native_enum=False, length=24), default=QuoteStatus.draft)
    title: Mapped[str] = mapped_column(String(200), default="")
    introduction: Mapped[str | None] = mapped_column(Text)
    terms: Mapped[str | None] = mapped_column(Text)
    valid_until: Mapped[date | None] = mapped_column(Date)
    issued_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: 1 for the first version shared; editing a shared quote starts the next revision
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: e-signature: typed name, time, and sha256 over the accepted content
    accepted_name: Mapped[str | None] = mapped_column(String(120))
    accepted_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signature_hash: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = created_column()

    company: Mapped[Company] = relationship()  # noqa: F821
    contact: Mapped[User | None] = relationship(foreign_keys=[contact_id])  # noqa: F821
    sections: Mapped[list[QuoteSection]] = relationship(back_populates="quote", cascade="all, delete-orphan",
                                                        order_by="QuoteSection.position")
    lines: Mapped[list[QuoteLine]] = relationship(back_populates="quote", cascade="all, delete-orphan",
                                                  order_by="QuoteLine.position")
    messages: Mapped[list[QuoteMessage]] = relationship(back_populates="quote", cascade="all, delete-orphan",
                                                        order_by="QuoteMessage.created_dt")

    def __str__(self) -> str:
        return self.number or f"Quote #{self.id}"


class QuoteSection(Model):
    __tablename__ = "quote_section"
    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)

    quote: Mapped[Quote] = relationship(back_populates="sections")

    def __str__(self) -> str:
        return self.title


class QuoteLine(DocumentLine, Model):
    __tablename__ = "quote_line"
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("quote_section.id", ondelete="SET NULL"))
    #: offered, not included: the client may tick it; left out of the quote's stored totals
    optional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    quote: Mapped[Quote] = relationship(back_populates="lines")
    section: Mapped[QuoteSection | None] = relationship()


class QuoteMessage(Model):
    """One message of a quote's change-request conversation."""

    __tablename__ = "quote_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: name typed by a no-login visitor of the share link
    author_name: Mapped[str] = mapped_column(String(120), default="")
    from_staff: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    created_dt: Mapped[datetime] = created_column()

    quote: Mapped[Quote] = relationship(back_populates="messages")


class OrderStatus(enum.StrEnum):
    pending_approval = "pending_approval"
    submitted = "submitted"
    confirmed = "confirmed"
    partially_shipped = "partially_shipped"
    shipped = "shipped"
    delivered = "delivered"
    cancelled = "cancelled"
    rejected = "rejected"


class SalesOrder(DocumentTotals, Model):
    __tablename__ = "sales_order"
    #: My Orders walks these, a company's orders only, for each sort and the status filter
    #: (portal.services.order_search); the first also serves every other lookup by company
    __table_args__ = (Index("ix_sales_order_company_placed", "company_id", "placed_dt", "id"),
                      Index("ix_sales_order_company_status_placed", "company_id", "status", "placed_dt", "id"),
                      Index("ix_sales_order_company_total", "company_id", "total", "id"),
                      Index("ix_sales_order_company_number", "company_id", "number"))
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    #: the contact (or rep) who placed it
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: set when a sales rep placed it on the customer's behalf
    acting_rep_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quote.id", ondelete="SET NULL"))
    status: Mapped[OrderStatus] = mapped_column(Enum(OrderStatus, native_enum=False, length=24), default=OrderStatus.submitted)
    customer_reference: Mapped[str | None] = mapped_column(String(80))
    shipping_address_id: Mapped[int | None] = mapped_column(ForeignKey("address.id", ondelete="SET NULL"))
    billing_address_id: Mapped[int | None] = mapped_column(ForeignKey("address.id", ondelete="SET NULL"))
    notes: Mapped[str | None] = mapped_column(Text)
    placed_dt: Mapped[datetime] = created_column()
    requested_delivery_date: Mapped[date | None] = mapped_column(Date)
    #: the checkout form's one-time key: a double-clicked or retried submit finds this order
    checkout_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: the customer asked to cancel (allowed while not yet confirmed); staff decide
    cancel_requested_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    #: why it waits in "pending approval": "customer" (the company's approval rules) or "credit" (staff)
    approval_reason: Mapped[str | None] = mapped_column(String(16))

    company: Mapped[Company] = relationship()  # noqa: F821
    placed_by: Mapped[User | None] = relationship(foreign_keys=[placed_by_id])  # noqa: F821
    acting_rep: Mapped[User | None] = relationship(foreign_keys=[acting_rep_id])  # noqa: F821
    shipping_address: Mapped[Address | None] = relationship(foreign_keys=[shipping_address_id])  # noqa: F821
    billing_address: Mapped[Address | None] = relationship(foreign_keys=[billing_address_id])  # noqa: F821
    lines: Mapped[list[SalesOrderLine]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                       order_by="SalesOrderLine.position")
    approvals: Mapped[list[OrderApproval]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                          order_by="OrderApproval.decided_dt")
    charges: Mapped[list[OrderCharge]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                      order_by="OrderCharge.id")

    def __str__(self) -> str:
        return self.number


class SalesOrderLine(DocumentLine, Model):
    __tablename__ = "sales_order_line"
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id", ondelete="CASCADE"), index=True)
    quantity_shipped: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))

    order: Mapped[SalesOrder] = relationship(back_populates="lines")


class ApprovalDecision(enum.StrEnum):
    approved = "approved"
    rejected = "rejected"


class OrderApproval(Model):
    """A decision on an order waiting for approval (seed 001: order approvals), with its comment."""

    __tablename__ = "order_approval"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id", ondelete="CASCADE"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decision: Mapped[ApprovalDecision] = mapped_column(Enum(ApprovalDecision, native_enum=False, length=16))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_dt: Mapped[datetime] = created_column()

    order: Mapped[SalesOrder] = relationship(back_populates="approvals")
    decided_by: Mapped[User | None] = relationship()  # noqa: F821


class ChargeKind(enum.StrEnum):
    freight = "freight"
    surcharge = "surcharge"
    waiting_time = "waiting_time"
    other = "other"


class ChargeStatus(enum.StrEnum):
    #: added by staff; waits for the customer when the company sees charges on the portal
    proposed = "proposed"
    approved = "approved"
    rejected = "rejected"
    #: on an invoice (invoice_id): never billed again
    invoiced = "invoiced"


class OrderCharge(Model):
    """An extra charge staff add to an order (freight, a surcharge, waiting time), which the customer
    approves or rejects when the company sees charges on the portal (portal.services.order_charges)."""

    __tablename__ = "order_charge"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ChargeKind] = mapped_column(Enum(ChargeKind, native_enum=False, length=16), default=ChargeKind.other)
    description: Mapped[str] = mapped_column(String(255))
    #: net, in the order's currency; taxed like a line at tax_rate
    amount: Mapped[Decimal] = mapped_column(MONEY)
    tax_rate: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal("21.00"))
    #: amount with its tax (services.order_charges keeps it): what it adds to the customer's total
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    status: Mapped[ChargeStatus] = mapped_column(Enum(ChargeStatus, native_enum=False, length=16),
                                                 default=ChargeStatus.proposed)
    customer_comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the invoice it was billed on
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = created_column()

    order: Mapped[SalesOrder] = relationship(back_populates="charges")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])  # noqa: F821
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])  # noqa: F821
    invoice: Mapped[Invoice | None] = relationship()  # noqa: F821

    def __str__(self) -> str:
        return f"{self.description} ({self.amount})"


class CartItem(Model):
    """A line in the cart of one user for one company (a rep has one cart per customer it acts for)."""

    __tablename__ = "cart_item"
    __table_args__ = (UniqueConstraint("user_id", "company_id", "product_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    quantity: Mapped[Decimal] = mapped_column(QTY, default=Decimal(1))
    #: the unit price the customer saw when adding or changing the line (a later change is pointed out)
    seen_price: Mapped[Decimal | None] = mapped_column(MONEY)
    added_dt: Mapped[datetime] = created_column()

    product: Mapped[Product] = relationship()  # noqa: F821


class ListSharing(enum.StrEnum):
    #: only its owner sees it
    private = "private"
    #: the company's users see it and add it to their cart
    read = "read"
    #: the company's users may also change it
    edit = "edit"


class PurchaseList(Model):
    """A saved list of products a company re-orders (seed 001: saved lists, e.g. one per project)."""

    __tablename__ = "purchase_list"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120))
    sharing: Mapped[ListSharing] = mapped_column(Enum(ListSharing, native_enum=False, length=16),
                                                 default=ListSharing.read, server_default="read")
    created_dt: Mapped[datetime] = created_column()

    owner: Mapped[User | None] = relationship()  # noqa: F821
    items: Mapped[list[PurchaseListItem]] = relationship(back_populates="purchase_list", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.name


class PurchaseListItem(Model):
    __tablename__ = "purchase_list_item"
    __table_args__ = (UniqueConstraint("purchase_list_id", "product_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_list_id: Mapped[int] = mapped_column(ForeignKey("purchase_list.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    quantity: Mapped[Decimal] = mapped_column(QTY, default=Decimal(1))
    note: Mapped[str] = mapped_column(String(255), default="", server_default="")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    purchase_list: Mapped[PurchaseList] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()  # noqa: F821
