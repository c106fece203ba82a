"""The outbox: email rows written in the same transaction as the action, delivered after commit.

The delivery worker (`portal deliver-outbox`) sends due rows effectively once and retries failures
with backoff until the retry window closes (portal.services.outbox_delivery); nothing is lost while
the server is down. Without MAIL_SERVER (the demo) mail is held for staff to read. A request may
send a few of the emails it queued right after its response (OUTBOX_AFTER_REQUEST_LIMIT, within
OUTBOX_AFTER_REQUEST_SECONDS); the rest is the worker's.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import func, inspect, or_, select

from portal.extensions import db
from portal.models import OutboxAttachment, OutboxEmail, OutboxStatus, User
from portal.models.base import utcnow
from portal.services.link_masking import MASK
from portal.services.outbox_delivery import DeliveryPolicy, DeliveryReport, deliver, new_message_id

__all__ = ["Attachment", "DeliveryPolicy", "DeliveryReport", "deliver_due", "queue", "resend"]

log = logging.getLogger(__name__)

_PENDING = "outbox_pending"
#: emails that "Resend" queues again; queued and sending ones are on their way already
RESENDABLE = (OutboxStatus.sent, OutboxStatus.failed, OutboxStatus.held)
WAITING = (OutboxStatus.queued, OutboxStatus.sending)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def queue(kind: str, to_address: str, subject: str, body_text: str, body_html: str | None = None,
          user: User | None = None, attachments: tuple[Attachment, ...] = ()) -> OutboxEmail:
    """Add an email (and its attachments) to the current transaction; it is delivered once the caller commits."""
    now = utcnow()
    email = OutboxEmail(kind=kind, to_address=to_address, subject=subject, body_text=body_text,
                        body_html=body_html, user_id=user.id if user is not None else None,
                        status=OutboxStatus.queued, attempts=0, next_attempt_dt=now, queued_dt=now, created_dt=now,
                        message_id=new_message_id(_sender_address()))
    for attachment in attachments:
        email.attachments.append(OutboxAttachment(filename=attachment.filename, content_type=attachment.content_type,
                                                  data=attachment.data))
    db.session.add(email)
    _mark_pending(email)
    return email


def resend(email: OutboxEmail) -> OutboxEmail:
    """Queue an email again (held, failed or sent) with a fresh retry window; caller commits.

    A sent email gets a new Message-ID (staff want another copy delivered); a failed or held one keeps
    its own, so a copy that did reach someone is still recognised as the same message."""
    if email.status == OutboxStatus.sent:
        email.message_id = new_message_id(_sender_address())
    now = utcnow()
    email.status = OutboxStatus.queued
    email.attempts = 0
    email.next_attempt_dt = now
    email.queued_dt = now
    email.sent_dt = None
    email.claim_token = None
    _mark_pending(email)
    return email


def lost_its_links(email: OutboxEmail) -> bool:
    """A sent email whose personal links (sign-in, invitation, reset) were masked after delivery
    (outbox_delivery): sent again it would deliver dead links, so it is not resent."""
    return email.status == OutboxStatus.sent and any(MASK in (body or "") for body in (email.body_text, email.body_html))


def resend_failed() -> list[OutboxEmail]:
    """Queue every failed email again (see resend); caller commits."""
    emails = db.session.execute(select(OutboxEmail).where(OutboxEmail.status == OutboxStatus.failed)
                                .order_by(OutboxEmail.id)).scalars().all()
    return [resend(email) for email in emails]


def failed_count() -> int:
    """How many emails were given up (the back office's alert)."""
    return db.session.execute(select(func.count()).select_from(OutboxEmail)
                              .where(OutboxEmail.status == OutboxStatus.failed)).scalar_one()


def _sender_address() -> str:
    configured = current_app.config.get("MAIL_DEFAULT_SENDER") or "portal@localhost"
    return configured if isinstance(configured, str) else configured[1]


# --- what became of some emails ---------------------------------------------------------------------

@dataclass
class Progress:
    """Where a set of emails stands now."""

    sent: int = 0
    waiting: int = 0
    #: tried and not delivered yet; retried later
    retrying: int = 0
    failed: int = 0
    held: int = 0
    #: (address, status, last error) of the ones not delivered so far
    problems: list[tuple[str, OutboxStatus, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.sent + self.waiting + self.retrying + self.failed + self.held


def progress(ids: list[int], *, problems: int = 10) -> Progress:
    """Count the given emails by where they stand; the first `problems` undelivered ones with their error."""
    result = Progress()
    if not ids:
        return result
    query = (select(OutboxEmail.to_address, OutboxEmail.status, OutboxEmail.attempts, OutboxEmail.last_error)
             .where(OutboxEmail.id.in_(ids)).order_by(OutboxEmail.id))
    # A connection of its own: the latest outcome, whatever the caller's transaction has seen so far.
    with db.engine.connect() as connection:
        rows = connection.execute(query).all()
    for address, status, attempts, error in rows:
        if status == OutboxStatus.sent:
            result.sent += 1
        elif status == OutboxStatus.failed:
            result.failed += 1
        elif status == OutboxStatus.held:
            result.held += 1
        elif attempts and error:
            result.retrying += 1
        else:
            result.waiting += 1
        undelivered = status == OutboxStatus.failed or (status in WAITING and attempts and error)
        if undelivered and len(result.problems) < problems:
            result.problems.append((address, status, error or ""))
    return result


def problem_clause():
    """Emails that were tried and not delivered: failed for good, or waiting for a retry."""
    return or_(OutboxEmail.status == OutboxStatus.failed,
               (OutboxEmail.status.in_(WAITING)) & (OutboxEmail.attempts > 0))


# --- delivery -------------------------------------------------------------------------------------------

def deliver_due(app: Flask, limit: int = 50, *, ids: list[int] | None = None,
                budget: float | None = None) -> DeliveryReport:
    """Send up to `limit` due emails (only `ids` when given; within `budget` seconds when given) and
    record each outcome. Commits its own work, per message, so a crash never loses a "sent"."""
    if has_app_context() and current_app._get_current_object() is app:
        return deliver(app, limit, ids, budget)
    with app.app_context():
        return deliver(app, limit, ids, budget)


def _mark_pending(email: OutboxEmail) -> None:
    if has_request_context():
        g.setdefault(_PENDING, []).append(email)


def take_queued_in_request() -> list[int]:
    """Ids of the emails this request queued (or queued again) and committed; asked once per request."""
    pending = g.pop(_PENDING, None) if has_app_context() else None
    # Rows that were rolled back have no identity; uncommitted ones are not found by the worker.
    return list(dict.fromkeys(state.identity[0] for state in map(inspect, pending or ())
                              if state.identity is not None))


def deliver_after_request(response, ids: list[int]):
    """Send a few of a request's emails once its response is sent (OUTBOX_AFTER_REQUEST_LIMIT, at most
    OUTBOX_AFTER_REQUEST_SECONDS); the rest, and any failure, is left to the delivery worker.

    Runs only with OUTBOX_DELIVER_AFTER_REQUEST. Returns the ids it will try."""
    config = current_app.config
    cap = int(config.get("OUTBOX_AFTER_REQUEST_LIMIT", 5))
    if not ids or not config.get("OUTBOX_DELIVER_AFTER_REQUEST") or cap <= 0:
        return []
    now_ids = ids[:cap]
    budget = float(config.get("OUTBOX_AFTER_REQUEST_SECONDS", 10))
    app = current_app._get_current_object()
    response.call_on_close(lambda: _deliver_quietly(app, now_ids, budget))
    return now_ids


def _deliver_quietly(app: Flask, ids: list[int], budget: float) -> None:
    try:
        with app.app_context():
            deliver(app, len(ids), ids, budget)
    except Exception:  # never break the response; the worker retries
        log.exception("delivering outbox emails %s after the request failed", ids)
