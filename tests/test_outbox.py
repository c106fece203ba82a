"""The outbox: written with the action, delivered after commit, retried, never lost, never doubled."""
import threading
from datetime import timedelta
from itertools import pairwise

import pytest
from sqlalchemy import select, update

from portal import settings
from portal.extensions import db as _db
from portal.models import EmailTemplate, OutboxEmail, OutboxStatus
from portal.models.base import utcnow
from portal.services import clock, mailer, outbox
from portal.services.outbox import deliver_due
from portal.services.tokens import aware
from tests.fixtures_mail import html_of, text_of


def _queue(db, n=1, **kw):
    emails = [outbox.queue("test", kw.get("to", f"buyer{i}@example.com"), f"Subject {i}", f"Body {i}\n")
              for i in range(n)]
    db.session.commit()
    return emails


def _make_due(db):
    db.session.execute(update(OutboxEmail).values(next_attempt_dt=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def _rows(db):
    db.session.expire_all()
    return db.session.execute(select(OutboxEmail).order_by(OutboxEmail.id)).scalars().all()


def test_queued_email_is_delivered_once_through_smtp(db, mail_app, smtp_server):
    _queue(db, to="anna@example.com")
    report = deliver_due(mail_app)
    assert (report.sent, report.retrying) == (1, 0)
    [message] = smtp_server.messages
    assert message["To"] == "anna@example.com"
    assert message["Subject"] == "Subject 0"
    assert text_of(message).strip() == "Body 0"
    [row] = _rows(db)
    assert row.status == OutboxStatus.sent and row.attempts == 1 and row.sent_dt is not None
    assert deliver_due(mail_app).total == 0
    assert len(smtp_server.messages) == 1


def test_smtp_down_keeps_the_email_queued_and_retries_after_backoff(db, mail_app, smtp_server):
    smtp_server.stop()
    _queue(db)
    report = deliver_due(mail_app)
    assert report.retrying == 1
    [row] = _rows(db)
    assert row.status == OutboxStatus.queued
    assert row.attempts == 1
    assert row.last_error  # e.g. ConnectionRefusedError: ...
    # Retried after the first backoff step, not at once.
    assert aware(row.next_attempt_dt) > aware(row.created_dt) + timedelta(minutes=1) - timedelta(seconds=5)
    smtp_server.start()
    assert deliver_due(mail_app).total == 0, "not due yet"
    assert smtp_server.messages == []
    _make_due(db)
    assert deliver_due(mail_app).sent == 1
    assert len(smtp_server.messages) == 1
    [row] = _rows(db)
    assert row.status == OutboxStatus.sent and row.attempts == 2
    assert deliver_due(mail_app).total == 0
    assert len(smtp_server.messages) == 1


def _attempts_until_failed(db, mail_app, limit=500):
    """Deliver each time the email is next due (the clock jumps there); returns when each attempt was."""
    [row] = _rows(db)
    attempts = []
    while row.status != OutboxStatus.failed and len(attempts) < limit:
        at = aware(row.next_attempt_dt)
        with clock.frozen(at):
            deliver_due(mail_app)
        attempts.append(at)
        [row] = _rows(db)
    return row, attempts


def test_mail_that_keeps_failing_is_retried_for_72_hours_with_capped_backoff_then_failed(db, mail_app,
                                                                                         smtp_server):
    """A weekend outage is ridden out: no giving up after ~14.6 hours (the old last retry)."""
    smtp_server.stop()
    _queue(db)
    [row] = _rows(db)
    queued = aware(row.created_dt)
    row, attempts = _attempts_until_failed(db, mail_app)
    assert row.status == OutboxStatus.failed
    waits = [round((later - earlier).total_seconds() / 60) for earlier, later in pairwise(attempts)]
    # 1, 5, 15, 30 minutes, then hourly (the cap); the last try is when the window closes.
    assert waits[:6] == [1, 5, 15, 30, 60, 60]
    assert max(waits) == 60
    assert attempts[-1] == queued + timedelta(hours=72)
    assert all(a < queued + timedelta(hours=72) for a in attempts[:-1])
    assert row.attempts == len(attempts) > 60
    assert "ConnectionRefusedError" in row.last_error

    _make_due(db)
    assert deliver_due(mail_app).total == 0, "a failed email is not retried on its own"
    outbox.resend(row)
    db.session.commit()
    smtp_server.start()
    assert deliver_due(mail_app).sent == 1
    assert len(smtp_server.messages) == 1


def test_the_retry_window_and_the_longest_wait_are_settings(db, mail_app, smtp_server):
    mail_app.config.update(OUTBOX_RETRY_HOURS=2, OUTBOX_RETRY_MAX_INTERVAL_MINUTES=20)
    smtp_server.stop()
    _queue(db)
    queued = aware(_rows(db)[0].created_dt)
    _row, attempts = _attempts_until_failed(db, mail_app)
    waits = [round((later - earlier).total_seconds() / 60) for earlier, later in pairwise(attempts)]
    assert waits[:6] == [1, 5, 15, 20, 20, 20]
    assert attempts[-1] == queued + timedelta(hours=2)


def test_every_attempt_carries_the_message_id_stored_when_queued(db, mail_app, smtp_server):
    smtp_server.stop()
    [email] = _queue(db)
    stored = email.message_id
    assert stored.startswith("<") and stored.endswith("@localhost>")
    deliver_due(mail_app)
    smtp_server.start()
    _make_due(db)
    deliver_due(mail_app)
    [message] = smtp_server.messages
    assert message["Message-ID"] == stored == _rows(db)[0].message_id


def test_the_outbox_list_shows_why_an_email_is_not_delivered(db, mail_app, smtp_server, admin):
    smtp_server.stop()
    _queue(db, to="buyer@example.com")
    deliver_due(mail_app)
    [row] = _rows(db)
    assert row.last_error
    listing = admin.get("/admin/outbox-email/?search=buyer@example.com")
    cells = [td.get_text(" ", strip=True) for td in listing.html.select("td.col-last_error")]
    assert cells and cells[0][:40] == " ".join(row.last_error.split())[:40]


def test_without_mail_server_email_is_held_and_readable(db, app):
    assert not app.config.get("MAIL_SERVER")
    _queue(db, to="anna@example.com")
    report = deliver_due(app)
    assert report.held == 1
    [row] = _rows(db)
    assert row.status == OutboxStatus.held
    assert row.body_text == "Body 0\n"
    assert deliver_due(app).total == 0


def test_a_held_email_can_be_resent_once_smtp_is_configured(db, mail_app, smtp_server):
    mail_app.config["MAIL_SERVER"] = None  # the demo: no SMTP yet
    _queue(db)
    assert deliver_due(mail_app).held == 1
    mail_app.config["MAIL_SERVER"] = smtp_server.host
    assert deliver_due(mail_app).total == 0, "held email waits for staff"
    [row] = _rows(db)
    outbox.resend(row)
    db.session.commit()
    assert deliver_due(mail_app).sent == 1
    assert len(smtp_server.messages) == 1


def test_mail_queued_by_a_request_is_delivered_after_its_response(db, make, mail_app, smtp_server, testapp):
    user = make.contact(email="anna@example.com")
    res = testapp.get("/login/link")
    res.forms["magic_link"]["email"] = user.email
    res = res.forms["magic_link"].submit()
    assert "a link is on its way" in res.text
    # No worker ran: the request itself delivered it after the response was built.
    assert [m["To"] for m in smtp_server.messages] == ["anna@example.com"]
    assert _rows(db)[0].status == OutboxStatus.sent


def test_after_request_delivery_with_smtp_down_leaves_the_email_queued(db, make, mail_app, smtp_server,
                                                                        testapp):
    user = make.contact()
    smtp_server.stop()
    res = testapp.get("/password/reset")
    res.forms["reset_request"]["email"] = user.email
    res = res.forms["reset_request"].submit()
    assert "a link is on its way" in res.text
    [row] = _rows(db)
    assert (row.status, row.attempts) == (OutboxStatus.queued, 1)
    assert row.last_error


def test_several_workers_never_send_the_same_email_twice(db, mail_app, smtp_server):
    _queue(db, n=30)
    barrier = threading.Barrier(4)
    errors = []

    def worker():
        try:
            with mail_app.app_context():
                barrier.wait()
                while deliver_due(mail_app, limit=3).total:
                    pass
                _db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    subjects = sorted(m["Subject"] for m in smtp_server.messages)
    assert subjects == sorted(f"Subject {i}" for i in range(30))
    assert {row.status for row in _rows(db)} == {OutboxStatus.sent}


def test_a_worker_that_died_mid_send_does_not_strand_its_emails(db, mail_app, smtp_server):
    _queue(db)
    db.session.execute(update(OutboxEmail).values(status=OutboxStatus.sending,
                                                  next_attempt_dt=utcnow() + timedelta(minutes=5)))
    db.session.commit()
    assert deliver_due(mail_app).total == 0, "claimed by another worker: left alone"
    _make_due(db)  # the lease ran out
    assert deliver_due(mail_app).sent == 1


def test_emails_are_branded_and_link_to_the_configured_domain(db, make, mail_app, smtp_server):
    settings.save({"branding.business_name": "Northwind Supply", "branding.primary_color": "#aa0011",
                   "domain.base_url": "https://portal.northwind.example/"})
    db.session.commit()
    user = make.contact(name="Anna <b>Bold</b>")
    mailer.send("magic_link", user, link=mailer.external_url("core.magic_link", token="abc"),
                expires_minutes=15)
    db.session.commit()
    deliver_due(mail_app)
    [message] = smtp_server.messages
    assert "Northwind Supply" in message["From"]
    assert "Northwind Supply" in message["Subject"]
    assert "https://portal.northwind.example/login/link/abc" in text_of(message)
    html = html_of(message)
    assert "#aa0011" in html
    assert 'href="https://portal.northwind.example/login/link/abc"' in html
    assert "Anna &lt;b&gt;Bold&lt;/b&gt;" in html


def test_staff_edited_template_overrides_the_built_in_one(db, make, mail_app, smtp_server):
    db.session.add(EmailTemplate(key="magic_link", name="Sign-in link", subject="Your link, {{ recipient_name }}",
                                 body_text="Click {{ link }} within {{ expires_minutes }} minutes."))
    db.session.commit()
    user = make.contact(name="Anna")
    mailer.send("magic_link", user, link="https://x.example/l/1", expires_minutes=15)
    db.session.commit()
    deliver_due(mail_app)
    [message] = smtp_server.messages
    assert message["Subject"] == "Your link, Anna"
    assert text_of(message).strip() == "Click https://x.example/l/1 within 15 minutes."
    assert 'href="https://x.example/l/1"' in html_of(message)


def test_a_broken_staff_template_falls_back_to_the_built_in_one(db, make):
    db.session.add(EmailTemplate(key="magic_link", name="Sign-in link", subject="{{ oops", body_text="x"))
    db.session.commit()
    subject, text, _html = mailer.render("magic_link", link="https://x.example/l/1", expires_minutes=15,
                                         recipient_name="Anna")
    assert "sign-in link" in subject.lower()
    assert "https://x.example/l/1" in text


def test_staff_templates_cannot_reach_python_internals(db, make):
    db.session.add(EmailTemplate(key="magic_link", name="Sign-in link", subject="Hi",
                                 body_text="{{ link.__class__.__mro__[1].__subclasses__() }}"))
    db.session.commit()
    _subject, text, _html = mailer.render("magic_link", link="https://x.example/l/1", expires_minutes=15)
    assert "subclasses" not in text and "<class" not in text


@pytest.mark.parametrize("base_url, expected", [
    ("", "http://localhost/password/reset"),
    ("https://portal.example.com", "https://portal.example.com/password/reset"),
    ("https://example.com/portal/", "https://example.com/portal/password/reset"),
])
def test_external_url_prefers_the_configured_domain(app, db, base_url, expected):
    settings.save({"domain.base_url": base_url})
    db.session.commit()
    with app.test_request_context("/"):
        assert mailer.external_url("core.request_password_reset") == expected


def test_the_deliver_outbox_command_sends_due_email(db, mail_app, smtp_server):
    _queue(db, n=2)
    result = mail_app.test_cli_runner().invoke(args=["deliver-outbox"])
    assert result.exit_code == 0, result.output
    assert "sent 2" in result.output
    assert len(smtp_server.messages) == 2
    result = mail_app.test_cli_runner().invoke(args=["deliver-outbox"])
    assert "sent 0" in result.output
    assert len(smtp_server.messages) == 2


def test_the_deliver_outbox_command_explains_held_mail(db, app):
    _queue(db)
    result = app.test_cli_runner().invoke(args=["deliver-outbox"])
    assert result.exit_code == 0, result.output
    assert "MAIL_SERVER is not set" in result.output and "held 1" in result.output
