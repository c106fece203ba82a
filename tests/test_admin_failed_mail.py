"""Failed email cannot go unnoticed: every back-office page shows an alert while any email has failed,
linking to the failed emails in the Outbox, with "Resend all failed"."""
from __future__ import annotations

from sqlalchemy import select

from portal.models import AuditLog, OutboxEmail, OutboxStatus
from tests.test_admin_invitations import flashes

PAGES = ("/admin/", "/admin/company/", "/admin/invitations/", "/admin/outbox-email/")


def _email(db, subject: str, status: OutboxStatus, **kw) -> OutboxEmail:
    email = OutboxEmail(kind="invoice", to_address="ap@acme.example", subject=subject, body_text="Hi",
                        status=status, **kw)
    db.session.add(email)
    db.session.commit()
    return email


def _alert(res):
    return res.html.select_one('[data-alert="failed-email"]')


def test_no_alert_while_nothing_failed(db, admin):
    _email(db, "Invoice 1", OutboxStatus.sent, attempts=1)
    _email(db, "Invoice 2", OutboxStatus.queued, attempts=3, last_error="ConnectionRefusedError")
    for page in PAGES:
        assert _alert(admin.get(page)) is None, page


def test_failed_email_is_alerted_on_every_back_office_page_and_resent_from_there(db, admin, staff, mail_app,
                                                                                smtp_server):
    _email(db, "Invoice 1", OutboxStatus.sent, attempts=1)
    _email(db, "Invoice 2", OutboxStatus.failed, attempts=75, last_error="SMTPServerDisconnected: gone")
    _email(db, "Invoice 3", OutboxStatus.failed, attempts=75, last_error="SMTPServerDisconnected: gone")
    for page in PAGES:
        alert = _alert(admin.get(page))
        assert alert is not None, f"no alert on {page}"
        assert "2 email(s) could not be delivered" in alert.get_text(" ", strip=True)

    home = admin.get("/admin/")
    listing = admin.get(_alert(home).find("a", string="Show failed emails")["href"])
    subjects = [td.get_text(strip=True) for td in listing.html.select("td.col-subject")]
    assert sorted(subjects) == ["Invoice 2", "Invoice 3"]

    resend = next(f for f in home.forms.values() if f.action.endswith("/resend-failed/"))
    assert resend.html.find("button").get_text(strip=True) == "Resend all failed"
    res = resend.submit().follow()
    assert "2 failed email(s) queued again" in flashes(res)
    assert "Email from your last action: 2 sent." in flashes(res)
    assert _alert(res) is None
    assert sorted(m["Subject"] for m in smtp_server.messages) == ["Invoice 2", "Invoice 3"]
    db.session.expire_all()
    assert [e.status for e in db.session.execute(select(OutboxEmail).order_by(OutboxEmail.id)).scalars()] == [
        OutboxStatus.sent] * 3
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "outbox.resend")).scalar_one()
    assert audit.actor_id == staff.id


def test_resend_all_failed_needs_the_csrf_token(db, admin):
    _email(db, "Invoice 2", OutboxStatus.failed, attempts=75)
    admin.post("/admin/outbox-email/resend-failed/", status=400)
    db.session.expire_all()
    assert db.session.execute(select(OutboxEmail.status)).scalar_one() == OutboxStatus.failed
