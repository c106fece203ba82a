"""Buying from suppliers: purchase orders and supplier bills (seen by supplier contacts)."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import MONEY, Model, created_column
from portal.models.sales import DocumentLine, DocumentTotals
from portal.services import clock


class PurchaseOrderStatus(enum.StrEnum):
    draft = "draft"
    sent = "sent"
    acknowledged = "acknowledged"
    received = "received"
    cancelled = "cancelled"


class PurchaseOrder(DocumentTotals, Model):
    __tablename__ = "purchase_order"
    #: the supplier's purchase order list: one company, newest first
    __table_args__ = (Index("ix_purchase_order_company_date", "company_id", "order_date", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    #: the supplier company; supplier contacts see only their own
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    status: Mapped[PurchaseOrderStatus] = mapped_column(Enum(PurchaseOrderStatus, native_enum=False, length=20),
                                                        default=PurchaseOrderStatus.sent)
    order_date: Mapped[date] = mapped_column(Date, default=clock.today)
    expected_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    created_dt: Mapped[datetime] = created_column()
    #: when the supplier acknowledged the order (once), and who did
    acknowledged_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    company: Mapped[Company] = relationship()  # noqa: F821
    lines: Mapped[list[PurchaseOrderLine]] = relationship(back_populates="purchase_order", cascade="all, delete-orphan")
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])  # noqa: F821
    date_proposals: Mapped[list[DeliveryDateProposal]] = relationship(
        back_populates="purchase_order", cascade="all, delete-orphan",
        order_by="(DeliveryDateProposal.created_dt, DeliveryDateProposal.id)")
    supplier_notes: Mapped[list[PurchaseOrderNote]] = relationship(
        back_populates="purchase_order", cascade="all, delete-orphan",
        order_by="(PurchaseOrderNote.created_dt, PurchaseOrderNote.id)")

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(DocumentLine, Model):
    __tablename__ = "purchase_order_line"
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id", ondelete="CASCADE"), index=True)

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines")


class ProposalStatus(enum.StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"


class DeliveryDateProposal(Model):
    """A supplier's proposal to deliver a purchase order on another date; staff accept or decline it.

    A purchase order has at most one pending proposal: a new one from the supplier replaces it."""

    __tablename__ = "delivery_date_proposal"
    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id", ondelete="CASCADE"), index=True)
    proposed_date: Mapped[date] = mapped_column(Date)
    #: the supplier's reason (optional)
    reason: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[ProposalStatus] = mapped_column(Enum(ProposalStatus, native_enum=False, length=20),
                                                   default=ProposalStatus.pending)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = created_column()
    #: staff's answer: who, when, and an optional message to the supplier
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str] = mapped_column(String(500), default="")

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="date_proposals")
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])  # noqa: F821
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])  # noqa: F821


class PurchaseOrderNote(Model):
    """A short note a supplier contact wrote on a purchase order (staff read them in the back office)."""

    __tablename__ = "purchase_order_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_dt: Mapped[datetime] = created_column()

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="supplier_notes")
    author: Mapped[User | None] = relationship()  # noqa: F821


class SupplierBillStatus(enum.StrEnum):
    received = "received"
    approved = "approved"
    paid = "paid"
    disputed = "disputed"


class SupplierBill(DocumentTotals, Model):
    __tablename__ = "supplier_bill"
    #: the supplier's bill list: one company, newest first
    __table_args__ = (Index("ix_supplier_bill_company_date", "company_id", "bill_date", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    #: the supplier's own invoice number
    supplier_reference: Mapped[str] = mapped_column(String(60), default="")
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    purchase_order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order.id", ondelete="SET NULL"))
    status: Mapped[SupplierBillStatus] = mapped_column(Enum(SupplierBillStatus, native_enum=False, length=20),
                                                       default=SupplierBillStatus.received)
    bill_date: Mapped[date] = mapped_column(Date, default=clock.today)
    due_date: Mapped[date | None] = mapped_column(Date)
    amount_paid: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    #: the day we paid the bill in full
    paid_date: Mapped[date | None] = mapped_column(Date)
    created_dt: Mapped[datetime] = created_column()

    company: Mapped[Company] = relationship()  # noqa: F821
    purchase_order: Mapped[PurchaseOrder | None] = relationship()

    def __str__(self) -> str:
        return self.number
