"""Money owed and paid: invoices, payments (receipts), credit notes."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Enum, ForeignKey, String, Text, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import MONEY, Model, created_column, currency_column
from portal.models.sales import DocumentLine, DocumentTotals
from portal.services import clock


class InvoiceStatus(enum.StrEnum):
    draft = "draft"
    open = "open"
    partially_paid = "partially_paid"
    paid = "paid"
    void = "void"


class Invoice(DocumentTotals, Model):
    __tablename__ = "invoice"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id", ondelete="SET NULL"))
    status: Mapped[InvoiceStatus] = mapped_column(Enum(InvoiceStatus, native_enum=False, length=24), default=InvoiceStatus.open)
    issue_date: Mapped[date] = mapped_column(Date, default=clock.today)
    due_date: Mapped[date] = mapped_column(Date, default=clock.today)
    #: sum of the payments recorded against it (portal.services.payments keeps it)
    amount_paid: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    #: sum of the issued and applied credit notes against it (portal.services.credit_notes keeps it)
    amount_credited: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"), server_default=text("0"))
    notes: Mapped[str | None] = mapped_column(Text)
    created_dt: Mapped[datetime] = created_column()

    company: Mapped[Company] = relationship()  # noqa: F821
    order: Mapped[SalesOrder | None] = relationship()  # noqa: F821
    lines: Mapped[list[InvoiceLine]] = relationship(back_populates="invoice", cascade="all, delete-orphan",
                                                    order_by="InvoiceLine.position")
    payments: Mapped[list[Payment]] = relationship(back_populates="invoice")

    @hybrid_property
    def balance_due(self) -> Decimal:
        """What is still owed on it: total less payments and credit notes (also usable in queries).

        Whether it is owed at all (open, overdue) is decided by portal.services.receivables."""
        return (self.total or Decimal(0)) - (self.amount_paid or Decimal(0)) - (self.amount_credited or Decimal(0))

    @balance_due.inplace.expression
    @classmethod
    def _balance_due_expression(cls):
        return cls.total - cls.amount_paid - cls.amount_credited

    def __str__(self) -> str:
        return self.number


class InvoiceLine(DocumentLine, Model):
    __tablename__ = "invoice_line"
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="CASCADE"), index=True)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class PaymentMethod(enum.StrEnum):
    bank_transfer = "bank_transfer"
    card = "card"
    direct_debit = "direct_debit"
    cash = "cash"
    other = "other"


class Payment(Model):
    """Money received; its receipt number is shown to the customer."""

    __tablename__ = "payment"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id", ondelete="SET NULL"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = currency_column()
    method: Mapped[PaymentMethod] = mapped_column(Enum(PaymentMethod, native_enum=False, length=20),
                                                  default=PaymentMethod.bank_transfer)
    reference: Mapped[str | None] = mapped_column(String(120))
    received_date: Mapped[date] = mapped_column(Date, default=clock.today)
    created_dt: Mapped[datetime] = created_column()

    company: Mapped[Company] = relationship()  # noqa: F821
    invoice: Mapped[Invoice | None] = relationship(back_populates="payments")

    def __str__(self) -> str:
        return self.number


class CreditNoteStatus(enum.StrEnum):
    draft = "draft"
    issued = "issued"
    applied = "applied"
    void = "void"


class CreditNote(DocumentTotals, Model):
    __tablename__ = "credit_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id", ondelete="SET NULL"))
    status: Mapped[CreditNoteStatus] = mapped_column(Enum(CreditNoteStatus, native_enum=False, length=20),
                                                     default=CreditNoteStatus.issued)
    reason: Mapped[str] = mapped_column(String(255), default="")
    issue_date: Mapped[date] = mapped_column(Date, default=clock.today)
    created_dt: Mapped[datetime] = created_column()

    company: Mapped[Company] = relationship()  # noqa: F821
    invoice: Mapped[Invoice | None] = relationship()
    lines: Mapped[list[CreditNoteLine]] = relationship(back_populates="credit_note", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.number


class CreditNoteLine(DocumentLine, Model):
    __tablename__ = "credit_note_line"
    credit_note_id: Mapped[int] = mapped_column(ForeignKey("credit_note.id", ondelete="CASCADE"), index=True)

    credit_note: Mapped[CreditNote] = relationship(back_populates="lines")
