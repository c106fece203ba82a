"""A personal link (sign-in, invitation, password reset) lives only in the recipient's mailbox once
the email is delivered: the outbox keeps the sent copy with the link's token masked, and staff cannot
resend that copy with a dead link."""
from __future__ import annotations

from sqlalchemy import select

from portal.models import OutboxEmail, OutboxStatus
from portal.services.link_masking import MASK
from tests.fixtures_mail import link_in
from tests.test_admin_invitations import flashes, outbox_action


def _row(db, kind: str) -> OutboxEmail:
    db.session.expire_all()
    return db.session.execute(select(OutboxEmail).where(OutboxEmail.kind == kind)
                              .order_by(OutboxEmail.id.desc())).scalars().first()


def test_a_delivered_sign_in_link_is_kept_masked_and_still_works(db, make, mail_app, smtp_server, testapp):
    make.contact(email="anna@acme.example", name="Anna")
    res = testapp.get("/login").click("Email me a sign-in link")
    res.forms["magic_link"]["email"] = "anna@acme.example"
    res.forms["magic_link"].submit()
    [message] = smtp_server.messages
    link = link_in(message, "/login/link/")
    token = link.rsplit("/", 1)[1]
    assert len(token) > 20

    row = _row(db, "magic_link")
    assert row.status == OutboxStatus.sent
    assert token not in (row.body_text or "") and token not in (row.body_html or "")
    assert MASK in row.body_text
    assert row.body_text.replace(MASK, token) in message.get_body(("plain",)).get_content().replace("\r\n", "\n")

    page = testapp.get(link)  # the mailbox's link still signs in
    res = page.forms["confirm"].submit(status=302).follow()
    assert res.request.path == "/dashboard"


def test_an_email_without_personal_links_is_kept_as_sent(db, make, mail_app, smtp_server):
    from portal.services import mailer, outbox_delivery

    user = make.contact(email="bo@acme.example")
    queued = mailer.send("password_changed", user, reset_link=mailer.external_url("core.request_password_reset"))
    db.session.commit()
    body = queued.body_text
    assert "/password/" in body
    outbox_delivery.deliver(mail_app, limit=10)
    row = _row(db, "password_changed")
    assert row.status == OutboxStatus.sent and row.body_text == body and MASK not in body


def test_staff_cannot_resend_a_copy_whose_link_was_masked(db, admin, make, mail_app, smtp_server):
    from portal.services import outbox_delivery, sign_in

    make.contact(email="anna@acme.example", name="Anna")
    sign_in.request_magic_link("anna@acme.example")
    db.session.commit()
    outbox_delivery.deliver(mail_app, limit=10)
    masked = _row(db, "magic_link")
    assert masked.status == OutboxStatus.sent and MASK in masked.body_text
    plain = OutboxEmail(kind="invoice", to_address="ap@acme.example", subject="Invoice 1", body_text="Hi",
                        status=OutboxStatus.sent, attempts=1)
    db.session.add(plain)
    db.session.commit()

    res = outbox_action(admin, "requeue", [masked, plain])
    messages = flashes(res)
    assert "1 email(s) queued again." in messages
    assert "held a personal link" in messages and "were not sent again" in messages
    assert [m["Subject"] for m in smtp_server.messages][-1] == "Invoice 1"
    assert sum(1 for m in smtp_server.messages if m["To"] == "anna@acme.example") == 1
