"""Buying from suppliers: purchase orders and supplier bills (seen by supplier contacts)."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Enum, ForeignKey, Index, String, Text
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

    company: Mapped[Company] = relationship()  # noqa: F821
    lines: Mapped[list[PurchaseOrderLine]] = relationship(back_populates="purchase_order", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(DocumentLine, Model):
    __tablename__ = "purchase_order_line"
    purchase_order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id", ondelete="CASCADE"), index=True)

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines")


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
    created_dt: Mapped[datetime] = created_column()

    company: Mapped[Company] = relationship()  # noqa: F821
    purchase_order: Mapped[PurchaseOrder | None] = relationship()

    def __str__(self) -> str:
        return self.number
