"""Outgoing email: the outbox, templates, and who is told about what."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Enum, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Model, created_column


class OutboxStatus(enum.StrEnum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"  # gave up: still not delivered when the retry window closed
    held = "held"  # no SMTP configured: kept for staff to read


class OutboxEmail(Model):
    """An email written in the same transaction as the action; delivered after commit.

    A worker claims a row (status sending, a claim token and a short lease in next_attempt_dt) before
    it sends it, and only the holder of the token records the outcome.
    """

    __tablename__ = "outbox_email"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(Enum(OutboxStatus, native_enum=False, length=16),
                                                 default=OutboxStatus.queued, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: when it is due; while status is sending, when the worker's claim runs out
    next_attempt_dt: Mapped[datetime] = created_column()
    sent_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_dt: Mapped[datetime] = created_column()
    #: the Message-ID header, the same on every attempt, so a receiver drops a repeat
    message_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    #: the claim of the worker sending it now; its outcome is recorded only with this token
    claim_token: Mapped[str | None] = mapped_column(String(32))
    #: when it was queued (or queued again by staff): the retry window runs from here
    queued_dt: Mapped[datetime] = created_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    attachments: Mapped[list[OutboxAttachment]] = relationship(cascade="all, delete-orphan",
                                                               order_by="OutboxAttachment.id")

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_address}"


class OutboxAttachment(Model):
    """A file sent with an outbox email (a signed quote's PDF), kept with it for every retry."""

    __tablename__ = "outbox_attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    email_id: Mapped[int] = mapped_column(ForeignKey("outbox_email.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class EmailTemplate(Model):
    """Staff-editable subject and body for one kind of email (Jinja placeholders)."""

    __tablename__ = "email_template"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)

    def __str__(self) -> str:
        return self.name


class NotificationRoute(Model):
    """Who on the staff side hears about a kind of event, with which template."""

    __tablename__ = "notification_route"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. "order_placed", "quote_accepted", "ticket_opened", "return_requested"
    kind: Mapped[str] = mapped_column(String(40), unique=True)
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: a team mailbox instead of (or besides) one staff user
    team_email: Mapped[str | None] = mapped_column(String(254))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("email_template.id", ondelete="SET NULL"))

    recipient_user: Mapped[User | None] = relationship()  # noqa: F821
    template: Mapped[EmailTemplate | None] = relationship()


class CustomerNotice(Model):
    """A customer email event that was told (portal.services.customer_notices): its key is unique, so a
    retried status change, a repeated webhook or a second worker never emails the same event twice."""

    __tablename__ = "customer_notice"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: what happened to which document, e.g. "invoice_issued:42", "shipment_delivered:7"
    event_key: Mapped[str] = mapped_column(String(120), unique=True)
    #: how many contacts were emailed
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_dt: Mapped[datetime] = created_column()


class InvoiceReminder(Model):
    """A payment reminder sent for an invoice on a day (portal.services.invoice_reminders): one per invoice,
    kind and day, so `portal send-reminders` run twice (or twice at once) sends one."""

    __tablename__ = "invoice_reminder"
    __table_args__ = (UniqueConstraint("invoice_id", "kind", "sent_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="CASCADE"), index=True)
    #: "due_soon" or "overdue"
    kind: Mapped[str] = mapped_column(String(20))
    sent_on: Mapped[date] = mapped_column(Date)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_dt: Mapped[datetime] = created_column()
