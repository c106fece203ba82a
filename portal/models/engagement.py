"""What happened: portal events (engagement timeline), notifications, audit log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Model, created_column


class PortalEvent(Model):
    """An engagement event: a quote viewed, a PDF downloaded, a sign-in, an order placed.

    Written only by portal.services.portal_events.record (tests/test_company_activity_rule.py)."""

    __tablename__ = "portal_event"
    #: a company's events newest first, and its 30-day counts read from the index alone (kind tells the
    #: customer's events from staff's); all events newest first
    __table_args__ = (Index("ix_portal_event_company_created_kind", "company_id", "created_dt", "kind"),
                      Index("ix_portal_event_created_dt", "created_dt"))
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    acting_rep_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: e.g. "quote", with subject_id the quote's id
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_dt: Mapped[datetime] = created_column()


class CompanyActivity(Model):
    """A company's latest portal activity, kept by portal.services.portal_events in the same transaction
    as each event, so the activity page reads one row per company instead of its events."""

    __tablename__ = "company_activity"
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), primary_key=True)
    #: the customer's latest event (staff actions on its documents do not count) and its kind
    last_event_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    last_event_kind: Mapped[str | None] = mapped_column(String(40))
    last_sign_in_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_order_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Notification(Model):
    """An in-app notification for one user.

    Without a company it is a back-office notification (portal.services.staff_notices), read under
    /admin; with one it is a portal notification about that company's business
    (portal.services.portal_notices), shown in the portal while the user acts for that company."""

    __tablename__ = "notification"
    #: every page counts a user's unread ones (back office: company NULL; portal: the acting company)
    __table_args__ = (Index("ix_notification_user_id_company_id_read_dt", "user_id", "company_id", "read_dt"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    #: the customer the portal notification is about; NULL for back-office notifications
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"))
    #: the staff event kind (Feature.events) or the portal notice kind (Feature.notices)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    #: a path of this site (/admin/... for back-office ones, a portal page for portal ones), never a full URL
    link: Mapped[str | None] = mapped_column(String(500))
    read_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_dt: Mapped[datetime] = created_column()


class AuditLog(Model):
    """Who did what, acting for whom, when."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    #: the customer company the actor acted for (rep on behalf, or own company)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id", ondelete="SET NULL"), index=True)
    #: set when a sales rep acted on the customer's behalf
    acting_rep_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))
    created_dt: Mapped[datetime] = created_column()

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])  # noqa: F821
    company: Mapped[Company | None] = relationship()  # noqa: F821
