"""Sending outbox email effectively once: claim one due row, send it over SMTP, record the outcome.

- A worker claims a row just before it sends it (status sending, a fresh claim token, a lease of
  OUTBOX_CLAIM_SECONDS): no row waits under the claim of a worker busy with others, and a dead
  worker's row is taken over once its lease has run out.
- Only the holder of the claim records the outcome (an UPDATE conditional on the token): a worker
  that hung past its lease neither overwrites the outcome of the worker that took over nor sends
  what it lost.
- Every attempt carries the row's stored Message-ID. A message the server accepted but the worker
  could not record (killed, database gone) is sent again after the lease; receivers see the same
  Message-ID and drop the copy.
- A failed attempt is retried with a capped backoff until OUTBOX_RETRY_HOURS after the email was
  queued; then it is failed, for staff to resend. A dead or hung server ends the round at once (the
  rest stays due), so a round costs at most one SMTP timeout while the server is away.
- A sent email is kept with the tokens of its links masked (portal.services.link_masking): a sign-in,
  invitation or reset link lives only in the recipient's mailbox once it is delivered.
"""
from __future__ import annotations

import logging
import secrets
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr

from flask import Flask
from flask_mail import BadHeaderError, Connection, Message
from sqlalchemy import and_, select, update

from portal import settings
from portal.extensions import db
from portal.models import OutboxEmail, OutboxStatus
from portal.models.base import utcnow
from portal.services.link_masking import has_token_link, mask_links
from portal.services.tokens import aware

log = logging.getLogger(__name__)

#: waits after the first failed attempts; then an hour, doubling, capped by OUTBOX_RETRY_MAX_INTERVAL_MINUTES
FIRST_WAITS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=30))
#: failures of this one message; anything else (refused, timed out, disconnected) is the server's
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError,
                  BadHeaderError)
#: a send is not started with less time than this left of a round's budget
MIN_SEND_SECONDS = 0.5
#: the lease covers one message: at least this many SMTP timeouts (connect, greeting, MAIL, RCPT, DATA, end)
LEASE_IN_TIMEOUTS = 10


@dataclass(frozen=True)
class DeliveryPolicy:
    """The delivery settings of an app (see README: OUTBOX_*)."""

    smtp_timeout: float = 30.0
    claim: timedelta = timedelta(minutes=5)
    retry_window: timedelta = timedelta(hours=72)
    max_wait: timedelta = timedelta(hours=1)

    @classmethod
    def of(cls, config) -> DeliveryPolicy:
        timeout = float(config.get("OUTBOX_SMTP_TIMEOUT", cls.smtp_timeout))
        claim = max(float(config.get("OUTBOX_CLAIM_SECONDS", cls.claim.total_seconds())),
                    LEASE_IN_TIMEOUTS * timeout)
        return cls(smtp_timeout=timeout, claim=timedelta(seconds=claim),
                   retry_window=timedelta(hours=float(config.get("OUTBOX_RETRY_HOURS", 72))),
                   max_wait=timedelta(minutes=float(config.get("OUTBOX_RETRY_MAX_INTERVAL_MINUTES", 60))))

    def wait_after(self, attempts: int) -> timedelta:
        """The wait after the n-th failed attempt: 1, 5, 15, 30 minutes, 1, 2, 4 hours ..., capped."""
        if attempts <= len(FIRST_WAITS):
            wait = FIRST_WAITS[max(attempts, 1) - 1]
        else:
            wait = timedelta(hours=2 ** min(attempts - len(FIRST_WAITS) - 1, 10))
        return min(wait, self.max_wait)

    def next_attempt(self, queued_dt: datetime, attempts: int, now: datetime) -> datetime | None:
        """When to try again after a failed attempt; None once the retry window has closed.
        The last try is at the moment the window closes."""
        closes = aware(queued_dt) + self.retry_window
        if now >= closes:
            return None
        return min(now + self.wait_after(attempts), closes)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0
    #: claims that ran out before the outcome was recorded (another worker took the email over)
    taken_over: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retrying + self.failed + self.held

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        text = f"sent {self.sent}, retrying {self.retrying}, failed {self.failed}, held {self.held}"
        return text + (f", taken over by another worker {self.taken_over}" if self.taken_over else "")


@dataclass(frozen=True)
class Claim:
    """One email this worker may send now; its outcome is recorded only with `token`."""

    email_id: int
    token: str
    attempts: int
    queued_dt: datetime
    message: Message


def new_message_id(sender_address: str) -> str:
    """A Message-ID in the sender's domain, stored with the email and used on every attempt."""
    domain = parseaddr(sender_address)[1].rpartition("@")[2] or "portal.invalid"
    return make_msgid(domain=domain)


def _due(now, ids: list[int] | None):
    clause = and_(OutboxEmail.next_attempt_dt <= now,
                  OutboxEmail.status.in_((OutboxStatus.queued, OutboxStatus.sending)))
    return clause if ids is None else and_(clause, OutboxEmail.id.in_(ids))


def _claim(policy: DeliveryPolicy, sender, ids: list[int] | None = None) -> Claim | None:
    """Claim the next due email (the oldest first) and commit; None when nothing is due."""
    now = utcnow()
    token = secrets.token_hex(16)
    oldest = (select(OutboxEmail.id).where(_due(now, ids))
              .order_by(OutboxEmail.next_attempt_dt, OutboxEmail.id).limit(1))
    claim = (update(OutboxEmail).values(status=OutboxStatus.sending, claim_token=token,
                                        next_attempt_dt=now + policy.claim)
             .execution_options(synchronize_session=False))
    if db.session.get_bind().dialect.name == "postgresql":
        # A row locked by another worker's claim is skipped, not waited for.
        email_id = db.session.execute(oldest.with_for_update(skip_locked=True)).scalar()
        if email_id is not None:
            db.session.execute(claim.where(OutboxEmail.id == email_id))
    else:
        # SQLite serialises writers; the WHERE is re-checked inside this one UPDATE.
        email_id = db.session.execute(
            claim.where(OutboxEmail.id.in_(oldest.scalar_subquery()), _due(now, ids)).returning(OutboxEmail.id)
        ).scalar()
    if email_id is None:
        db.session.commit()
        return None
    row = db.session.execute(select(OutboxEmail).where(OutboxEmail.id == email_id)
                             .execution_options(populate_existing=True)).scalar_one()
    if row.message_id is None:  # written before Message-IDs were stored
        row.message_id = new_message_id(sender[1])
    claimed = Claim(row.id, token, row.attempts, row.queued_dt, _message(row, sender))
    db.session.commit()
    return claimed


def _record(claim: Claim, error: Exception | None, policy: DeliveryPolicy) -> str:
    """Write the outcome of one attempt while the claim is still ours; returns sent, retrying,
    failed or taken_over (the claim ran out and another worker owns the email now)."""
    now = utcnow()
    attempts = claim.attempts + 1
    if error is None:
        values, outcome = {"status": OutboxStatus.sent, "sent_dt": now, **_without_tokens(claim.message)}, "sent"
    else:
        text = f"{type(error).__name__}: {error}"[:2000]
        retry = policy.next_attempt(claim.queued_dt, attempts, now)
        if retry is None:
            values, outcome = {"status": OutboxStatus.failed, "last_error": text}, "failed"
        else:
            values = {"status": OutboxStatus.queued, "last_error": text, "next_attempt_dt": retry}
            outcome = "retrying"
        log.warning("email %s not delivered (attempt %s): %s", claim.email_id, attempts, text)
    recorded = db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == claim.email_id, OutboxEmail.claim_token == claim.token,
               OutboxEmail.status == OutboxStatus.sending)
        .values(attempts=attempts, claim_token=None, **values)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if recorded != 1:
        log.warning("email %s: the claim ran out before its outcome (%s) was recorded; another worker has it",
                    claim.email_id, outcome)
        return "taken_over"
    return outcome


def _without_tokens(message: Message) -> dict:
    """A sent email is kept without the tokens of its links (sign-in, invitation, reset): they reached
    the recipient, and a copy at rest would let anyone who reads the database use them."""
    values = {}
    for column, body in (("body_text", message.body), ("body_html", message.html)):
        if body and has_token_link(body):
            values[column] = str(mask_links(body))
    return values


def _hold(now, ids: list[int] | None) -> int:
    query = (update(OutboxEmail).where(_due(now, ids)).values(status=OutboxStatus.held, claim_token=None)
             .execution_options(synchronize_session=False))
    count = db.session.execute(query).rowcount
    db.session.commit()
    return count


def _sender(app: Flask) -> tuple[str, str]:
    configured = app.config.get("MAIL_DEFAULT_SENDER") or "portal@localhost"
    name, address = parseaddr(configured) if isinstance(configured, str) else configured
    return (name or settings.get("branding.business_name"), address)


def _message(row: OutboxEmail, sender) -> Message:
    message = Message(subject=row.subject, recipients=[row.to_address], body=row.body_text, html=row.body_html,
                      sender=sender, extra_headers={"Auto-Submitted": "auto-generated"})
    message.msgId = row.message_id
    for attachment in row.attachments:
        message.attach(attachment.filename, attachment.content_type, attachment.data)
    return message


class _TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout, so a hung server cannot stall the worker."""

    def __init__(self, mail, timeout: float):
        super().__init__(mail)
        self.timeout = timeout

    def configure_host(self):
        cls = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = cls(self.mail.server, self.mail.port, timeout=self.timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host

    def wait_at_most(self, seconds: float) -> None:
        """Every later read or write on the socket gives up after `seconds`."""
        self.timeout = seconds
        if self.host is not None and self.host.sock is not None:
            self.host.sock.settimeout(seconds)


def _close(connection) -> None:
    """Quit an SMTP connection (if any); returns None to clear the caller's variable."""
    if connection is not None and connection.host is not None:
        try:
            connection.host.quit()
        except (smtplib.SMTPException, OSError):
            connection.host.close()


def deliver(app: Flask, limit: int, ids: list[int] | None = None, budget: float | None = None) -> DeliveryReport:
    """Send up to `limit` due emails (only `ids` when given), one claim at a time, within `budget`
    seconds when given. Commits its own work, per message. Runs in an app context."""
    report = DeliveryReport()
    db.session.commit()  # start from a clean transaction: the claim must be our first write
    if not app.config.get("MAIL_SERVER"):
        report.held = _hold(utcnow(), ids)
        return report
    policy = DeliveryPolicy.of(app.config)
    ends = None if budget is None else time.monotonic() + budget
    sender = _sender(app)
    connection = None
    try:
        for _ in range(limit):
            wait = policy.smtp_timeout if ends is None else min(policy.smtp_timeout, ends - time.monotonic())
            if wait < min(MIN_SEND_SECONDS, policy.smtp_timeout):
                break
            claim = _claim(policy, sender, ids)
            if claim is None:
                break
            error = None
            try:
                if connection is None:
                    connection = _TimedConnection(app.extensions["mail"], wait).__enter__()
                connection.wait_at_most(wait)
                connection.send(claim.message)
            except Exception as exc:  # noqa: BLE001 - any SMTP or socket failure: try again later
                error = exc
                connection = _close(connection)
            report.add(_record(claim, error, policy))
            if error is not None and not isinstance(error, MESSAGE_ERRORS):
                break  # the server is down or hung: the rest stays due for the next round
    finally:
        _close(connection)
    return report
