"""Money owed and paid: invoices, payments (receipts), credit notes."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, Enum, ForeignKey, Index, String, Text, text
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
    #: the invoice list (newest first), open and overdue figures (open ones only), what an order is invoiced for
    __table_args__ = (Index("ix_invoice_company_issued", "company_id", "issue_date", "id"),
                      Index("ix_invoice_company_status_due", "company_id", "status", "due_date"),
                      Index("ix_invoice_order", "order_id"))
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
    #: the receipts list: one company, newest first
    __table_args__ = (Index("ix_payment_company_received", "company_id", "received_date", "id"),)
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
    #: the credit notes list: one company, newest first
    __table_args__ = (Index("ix_credit_note_company_issued", "company_id", "issue_date", "id"),)
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


class PaymentRequestStatus(enum.StrEnum):
    pending = "pending"
    paid = "paid"
    cancelled = "cancelled"
    expired = "expired"


class PaymentRequest(Model):
    """A customer's Pay Now: which invoices, how much of each, through which provider.

    Bank transfer requests wait for staff to confirm the money arrived; card requests complete when the
    provider tells us (portal.services.payment_requests records the payments either way)."""

    __tablename__ = "payment_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: what the customer types in the bank transfer's description: PAY-7K3M-2QXD
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    #: portal.services.payment_providers key: "bank_transfer", "stripe"
    provider: Mapped[str] = mapped_column(String(30))
    status: Mapped[PaymentRequestStatus] = mapped_column(Enum(PaymentRequestStatus, native_enum=False, length=20),
                                                         default=PaymentRequestStatus.pending, index=True)
    total: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = currency_column()
    #: the contact or rep who asked to pay; acting_rep_id is set when a rep acted for the company
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    acting_rep_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: the provider's id of its checkout (Stripe's cs_...), None for bank transfers
    provider_session_id: Mapped[str | None] = mapped_column(String(255), index=True)
    created_dt: Mapped[datetime] = created_column()
    paid_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    company: Mapped[Company] = relationship()  # noqa: F821
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])  # noqa: F821
    items: Mapped[list[PaymentRequestItem]] = relationship(back_populates="request", cascade="all, delete-orphan",
                                                           order_by="PaymentRequestItem.id")

    def __str__(self) -> str:
        return self.reference


class PaymentRequestItem(Model):
    """One invoice of a payment request and the amount paid on it; payment_id once it is recorded."""

    __tablename__ = "payment_request_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("payment_request.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id", ondelete="SET NULL"))

    request: Mapped[PaymentRequest] = relationship(back_populates="items")
    invoice: Mapped[Invoice] = relationship()
    payment: Mapped[Payment | None] = relationship()

    def __str__(self) -> str:
        return f"{self.invoice.number if self.invoice else self.invoice_id}: {self.amount}"
