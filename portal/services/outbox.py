"""The outbox: email rows written in the same transaction as the action, delivered after commit.

Delivery claims due rows (status queued -> sending, with a lease), sends them through
Flask-Mail and records the outcome per message. SMTP failures are retried with backoff;
nothing is lost while the server is down. Without MAIL_SERVER (the demo) mail is held for
staff to read. Several workers may run at once: a row is claimed by exactly one of them.
"""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr

from flask import Flask, current_app, g, has_app_context, has_request_context
from flask_mail import Connection, Message
from sqlalchemy import and_, inspect, or_, select, update

from portal import settings
from portal.extensions import db
from portal.models import OutboxEmail, OutboxStatus, User
from portal.models.base import utcnow

log = logging.getLogger(__name__)

#: wait before retry n (after the n-th failed attempt); failed for good after the last
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=12))
MAX_ATTEMPTS = len(BACKOFF) + 1
#: a claimed row whose worker died is picked up again after this long
LEASE = timedelta(minutes=10)
SMTP_TIMEOUT = 30
_PENDING = "outbox_pending"


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retrying + self.failed + self.held

    def __str__(self) -> str:
        return f"sent {self.sent}, retrying {self.retrying}, failed {self.failed}, held {self.held}"


def queue(kind: str, to_address: str, subject: str, body_text: str, body_html: str | None = None,
          user: User | None = None) -> OutboxEmail:
    """Add an email to the current transaction; it is delivered once the caller commits."""
    email = OutboxEmail(kind=kind, to_address=to_address, subject=subject, body_text=body_text,
                        body_html=body_html, user_id=user.id if user is not None else None,
                        status=OutboxStatus.queued, attempts=0, next_attempt_dt=utcnow())
    db.session.add(email)
    _mark_pending(email)
    return email


def resend(email: OutboxEmail) -> OutboxEmail:
    """Queue an email again (held, failed or sent) with a fresh retry schedule; caller commits."""
    email.status = OutboxStatus.queued
    email.attempts = 0
    email.next_attempt_dt = utcnow()
    email.sent_dt = None
    _mark_pending(email)
    return email


def _mark_pending(email: OutboxEmail) -> None:
    if has_request_context():
        g.setdefault(_PENDING, []).append(email)


# --- delivery -----------------------------------------------------------------------------------

def _due(now):
    return and_(OutboxEmail.next_attempt_dt <= now,
                or_(OutboxEmail.status == OutboxStatus.queued, OutboxEmail.status == OutboxStatus.sending))


def _claim(now, limit: int, ids: list[int] | None) -> list[int]:
    """Mark up to `limit` due rows as ours (status sending, lease) and commit; returns their ids."""
    candidates = select(OutboxEmail.id).where(_due(now)).order_by(OutboxEmail.next_attempt_dt, OutboxEmail.id)
    if ids is not None:
        candidates = candidates.where(OutboxEmail.id.in_(ids))
    candidates = candidates.limit(limit)
    claim = update(OutboxEmail).values(status=OutboxStatus.sending, next_attempt_dt=now + LEASE)
    if db.session.get_bind().dialect.name == "postgresql":
        # Rows locked by another worker are skipped, not waited for.
        claimed = list(db.session.execute(candidates.with_for_update(skip_locked=True)).scalars())
        if claimed:
            db.session.execute(claim.where(OutboxEmail.id.in_(claimed)))
    else:
        # SQLite serialises writers; the WHERE is re-checked inside this one UPDATE.
        claimed = list(db.session.execute(
            claim.where(OutboxEmail.id.in_(candidates.scalar_subquery()), _due(now)).returning(OutboxEmail.id)
        ).scalars())
    db.session.commit()
    return claimed


def _hold(now, ids: list[int] | None) -> int:
    query = update(OutboxEmail).where(_due(now)).values(status=OutboxStatus.held)
    if ids is not None:
        query = query.where(OutboxEmail.id.in_(ids))
    count = db.session.execute(query).rowcount
    db.session.commit()
    return count


def _sender(app: Flask) -> str | tuple[str, str]:
    configured = app.config.get("MAIL_DEFAULT_SENDER") or "portal@localhost"
    name, address = parseaddr(configured) if isinstance(configured, str) else configured
    return (name or settings.get("branding.business_name"), address)


def _message(row: OutboxEmail, sender) -> Message:
    return Message(subject=row.subject, recipients=[row.to_address], body=row.body_text, html=row.body_html,
                   sender=sender, extra_headers={"Auto-Submitted": "auto-generated"})


class _TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout, so a hung server cannot stall the worker."""

    def configure_host(self):
        cls = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = cls(self.mail.server, self.mail.port, timeout=SMTP_TIMEOUT)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def _record(email_id: int, attempts: int, error: Exception | None) -> str:
    now = utcnow()
    if error is None:
        values, outcome = {"status": OutboxStatus.sent, "sent_dt": now, "attempts": attempts + 1}, "sent"
    else:
        attempts += 1
        text = f"{type(error).__name__}: {error}"[:2000]
        if attempts >= MAX_ATTEMPTS:
            values = {"status": OutboxStatus.failed, "attempts": attempts, "last_error": text}
            outcome = "failed"
        else:
            values = {"status": OutboxStatus.queued, "attempts": attempts, "last_error": text,
                      "next_attempt_dt": now + BACKOFF[attempts - 1]}
            outcome = "retrying"
        log.warning("email %s not delivered (attempt %s): %s", email_id, attempts, text)
    db.session.execute(update(OutboxEmail).where(OutboxEmail.id == email_id).values(**values))
    db.session.commit()
    return outcome


def _deliver(app: Flask, limit: int, ids: list[int] | None) -> DeliveryReport:
    report = DeliveryReport()
    db.session.commit()  # start from a clean transaction: the claim must be our first write
    now = utcnow()
    if not app.config.get("MAIL_SERVER"):
        report.held = _hold(now, ids)
        return report
    claimed = _claim(now, limit, ids)
    if not claimed:
        return report
    sender = _sender(app)
    rows = db.session.execute(select(OutboxEmail).where(OutboxEmail.id.in_(claimed)).order_by(OutboxEmail.id))
    batch = [(row.id, row.attempts, _message(row, sender)) for row in rows.scalars()]
    db.session.commit()
    connection = None
    for email_id, attempts, message in batch:
        error = None
        try:
            if connection is None:
                connection = _TimedConnection(app.extensions["mail"]).__enter__()
            connection.send(message)
        except Exception as exc:  # noqa: BLE001 - any SMTP or socket failure: try again later
            error = exc
            connection = _close(connection)
        outcome = _record(email_id, attempts, error)
        setattr(report, outcome, getattr(report, outcome) + 1)
    _close(connection)
    return report


def _close(connection) -> None:
    """Quit an SMTP connection (if any); returns None to clear the caller's variable."""
    if connection is not None and connection.host is not None:
        try:
            connection.host.quit()
        except (smtplib.SMTPException, OSError):
            connection.host.close()


def deliver_due(app: Flask, limit: int = 50, *, ids: list[int] | None = None) -> DeliveryReport:
    """Send up to `limit` due emails (only `ids` when given) and record each outcome.

    Commits its own work, per message, so a crash never re-sends what was already sent.
    """
    if has_app_context() and current_app._get_current_object() is app:
        return _deliver(app, limit, ids)
    with app.app_context():
        return _deliver(app, limit, ids)


def deliver_after_request(response):
    """after_request hook: mail queued by this request goes out once the response is sent.

    Runs only with OUTBOX_DELIVER_AFTER_REQUEST; a failure leaves the rows queued for the worker.
    """
    pending = g.pop(_PENDING, None)
    if not pending or not current_app.config.get("OUTBOX_DELIVER_AFTER_REQUEST"):
        return response
    # Rows that were rolled back have no identity; uncommitted ones are not found by the worker.
    ids = [state.identity[0] for state in map(inspect, pending) if state.identity is not None]
    if ids:
        app = current_app._get_current_object()
        response.call_on_close(lambda: _deliver_quietly(app, ids))
    return response


def _deliver_quietly(app: Flask, ids: list[int]) -> None:
    try:
        with app.app_context():
            _deliver(app, len(ids), ids)
    except Exception:  # never break the response; the worker retries
        log.exception("delivering outbox emails %s after the request failed", ids)
