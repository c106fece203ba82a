"""Customer service: support tickets and their messages."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Model, created_column


class TicketStatus(enum.StrEnum):
    open = "open"
    waiting_on_customer = "waiting_on_customer"
    resolved = "resolved"
    closed = "closed"


class TicketPriority(enum.StrEnum):
    low = "low"
    normal = "normal"
    high = "high"


class Ticket(Model):
    __tablename__ = "ticket"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200))
    status: Mapped[TicketStatus] = mapped_column(Enum(TicketStatus, native_enum=False, length=24), default=TicketStatus.open)
    #: optional link to the document the ticket is about, e.g. "sales_order:12"
    regarding: Mapped[str | None] = mapped_column(String(60))
    #: one of portal.services.tickets.CATEGORIES (None for tickets made before categories)
    category: Mapped[str | None] = mapped_column(String(40))
    priority: Mapped[TicketPriority] = mapped_column(Enum(TicketPriority, native_enum=False, length=10),
                                                     default=TicketPriority.normal, server_default="normal")
    #: colleagues with the tickets permission see it; when off only its opener and the company's admins do
    shared: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_dt: Mapped[datetime] = created_column()

    company: Mapped[Company] = relationship()  # noqa: F821
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])  # noqa: F821
    messages: Mapped[list[TicketMessage]] = relationship(back_populates="ticket", cascade="all, delete-orphan",
                                                         order_by="TicketMessage.created_dt")

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"


class TicketMessage(Model):
    __tablename__ = "ticket_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    from_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    #: staff-only note, never shown in the portal
    is_internal: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    created_dt: Mapped[datetime] = created_column()

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()  # noqa: F821
    attachments: Mapped[list[TicketAttachment]] = relationship(back_populates="message",
                                                               order_by="TicketAttachment.id")


class TicketAttachment(Model):
    """A file sent with a ticket message, kept by the upload service under a generated name."""

    __tablename__ = "ticket_attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("ticket_message.id", ondelete="CASCADE"), index=True)
    #: the generated name in upload storage (never the uploader's name)
    stored_name: Mapped[str] = mapped_column(String(80))
    #: the uploader's file name made safe (ASCII, no path), offered as the download's name
    filename: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    created_dt: Mapped[datetime] = created_column()

    message: Mapped[TicketMessage] = relationship(back_populates="attachments")
