"""Getting goods to customers and back: shipments with tracking, returns."""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import QTY, Model, created_column


class ShipmentStatus(enum.StrEnum):
    preparing = "preparing"
    shipped = "shipped"
    in_transit = "in_transit"
    delivered = "delivered"
    exception = "exception"


class Shipment(Model):
    __tablename__ = "shipment"
    #: the customer's shipment list: one company, newest first
    __table_args__ = (Index("ix_shipment_company_created", "company_id", "created_dt", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id", ondelete="SET NULL"), index=True)
    status: Mapped[ShipmentStatus] = mapped_column(Enum(ShipmentStatus, native_enum=False, length=20),
                                                   default=ShipmentStatus.preparing)
    carrier: Mapped[str | None] = mapped_column(String(80))
    tracking_number: Mapped[str | None] = mapped_column(String(80))
    tracking_url: Mapped[str | None] = mapped_column(String(500))
    shipped_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_dt: Mapped[datetime] = created_column()

    company: Mapped[Company] = relationship()  # noqa: F821
    order: Mapped[SalesOrder | None] = relationship()  # noqa: F821
    events: Mapped[list[ShipmentEvent]] = relationship(back_populates="shipment", cascade="all, delete-orphan",
                                                       order_by="ShipmentEvent.occurred_dt")

    def __str__(self) -> str:
        return self.number


class ShipmentEvent(Model):
    """One tracking step (picked up, in transit at X, delivered), typed by staff or posted by an integration."""

    __tablename__ = "shipment_event"
    __table_args__ = (UniqueConstraint("shipment_id", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipment.id", ondelete="CASCADE"), index=True)
    occurred_dt: Mapped[datetime] = created_column()
    #: a ShipmentStatus code (shown in words); older rows may hold text staff typed
    status: Mapped[str] = mapped_column(String(40))
    location: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(255), default="")
    #: the integration's own id for the event: the same event posted twice is recorded once
    external_id: Mapped[str | None] = mapped_column(String(100))
    #: the integration that posted it (None: staff)
    integration_key_id: Mapped[int | None] = mapped_column(ForeignKey("integration_key.id", ondelete="SET NULL"))

    shipment: Mapped[Shipment] = relationship(back_populates="events")
    integration_key: Mapped[IntegrationKey | None] = relationship()  # noqa: F821


class ReturnStatus(enum.StrEnum):
    """requested → approved / rejected; approved → received → credited (portal.services.returns.NEXT)."""

    requested = "requested"
    approved = "approved"
    rejected = "rejected"
    received = "received"
    credited = "credited"


class ReturnRequest(Model):
    __tablename__ = "return_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id", ondelete="SET NULL"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: set when a sales rep requested it on the customer's behalf
    acting_rep_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[ReturnStatus] = mapped_column(Enum(ReturnStatus, native_enum=False, length=20),
                                                 default=ReturnStatus.requested)
    #: the customer's note on the whole return (each line has its own reason)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: staff's words to the customer: the return instructions (approved) or why it was rejected
    staff_note: Mapped[str | None] = mapped_column(Text)
    #: the credit note raised from the received lines (once)
    credit_note_id: Mapped[int | None] = mapped_column(ForeignKey("credit_note.id", ondelete="SET NULL"),
                                                       unique=True)
    created_dt: Mapped[datetime] = created_column()
    decided_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    credited_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    company: Mapped[Company] = relationship()  # noqa: F821
    order: Mapped[SalesOrder | None] = relationship()  # noqa: F821
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])  # noqa: F821
    credit_note: Mapped[CreditNote | None] = relationship()  # noqa: F821
    lines: Mapped[list[ReturnLine]] = relationship(back_populates="return_request", cascade="all, delete-orphan",
                                                   order_by="ReturnLine.id")
    attachments: Mapped[list[ReturnAttachment]] = relationship(back_populates="return_request",
                                                               cascade="all, delete-orphan",
                                                               order_by="ReturnAttachment.id")

    def __str__(self) -> str:
        return self.number


class ReturnLine(Model):
    __tablename__ = "return_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    return_request_id: Mapped[int] = mapped_column(ForeignKey("return_request.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order_line.id", ondelete="SET NULL"),
                                                      index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"))
    quantity: Mapped[Decimal] = mapped_column(QTY, default=Decimal(1))
    #: damaged, wrong_item, not_needed or other (portal.services.returns.REASONS)
    reason_code: Mapped[str | None] = mapped_column(String(20))
    #: the customer's words (required for "other")
    reason: Mapped[str] = mapped_column(String(255), default="")
    #: what staff counted when the goods came back (None until received)
    quantity_received: Mapped[Decimal | None] = mapped_column(QTY)

    return_request: Mapped[ReturnRequest] = relationship(back_populates="lines")
    order_line: Mapped[SalesOrderLine | None] = relationship()  # noqa: F821
    product: Mapped[Product | None] = relationship()  # noqa: F821

    def __str__(self) -> str:
        return self.order_line.description if self.order_line else (self.product.name if self.product else "Item")


class ReturnAttachment(Model):
    """A photo or document sent with a return request, kept by the upload service under a generated name."""

    __tablename__ = "return_attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    return_request_id: Mapped[int] = mapped_column(ForeignKey("return_request.id", ondelete="CASCADE"), index=True)
    #: the generated name in upload storage (never the uploader's name)
    stored_name: Mapped[str] = mapped_column(String(80))
    #: the uploader's file name made safe (ASCII, no path), offered as the download's name
    filename: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    created_dt: Mapped[datetime] = created_column()

    return_request: Mapped[ReturnRequest] = relationship(back_populates="attachments")
