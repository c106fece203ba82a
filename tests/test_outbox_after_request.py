"""A request sends only a handful of the emails it queued after its response; bulk goes to the delivery
worker. The back office then says what became of them, read from the outbox: sent, waiting, not
delivered (with the address and the error)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from portal.models import OutboxEmail, OutboxStatus
from portal.services import outbox
from portal.services.outbox import deliver_due
from tests.test_admin_invitations import SCREEN, flashes, outbox_action, run_action


@pytest.fixture
def contacts(make):
    acme = make.company(name="ACME Tools")
    return [make.contact(acme, name=f"Contact {n:02}", email=f"c{n:02}@acme.example", password=None,
                         portal_access=False) for n in range(8)]


def _report(res) -> str:
    node = res.html.select_one('[data-report="outbox"]')
    return node.get_text(" ", strip=True) if node else ""


def _statuses(db) -> list[OutboxStatus]:
    db.session.expire_all()
    return list(db.session.execute(select(OutboxEmail.status).order_by(OutboxEmail.id)).scalars())


def test_bulk_invitations_send_a_handful_after_the_response_and_leave_the_rest_to_the_worker(
        db, admin, contacts, mail_app, smtp_server):
    res = run_action(admin.get(SCREEN), "invite", contacts).follow()
    assert "Invitation queued for 8 contact(s)" in flashes(res)
    assert "sent to 8" not in flashes(res)
    # The web process sent 5 right after its response; 3 wait for the worker.
    assert len(smtp_server.messages) == 5
    assert _statuses(db).count(OutboxStatus.queued) == 3
    assert "Email from your last action: 5 sent, 3 waiting for the delivery worker." in _report(res)
    assert _report(admin.get(SCREEN)) == "", "reported once"

    assert deliver_due(mail_app).sent == 3  # the worker
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(c.email for c in contacts)
    assert set(_statuses(db)) == {OutboxStatus.sent}


def test_the_limit_is_a_setting_and_zero_leaves_everything_to_the_worker(db, admin, contacts, mail_app,
                                                                         smtp_server):
    mail_app.config["OUTBOX_AFTER_REQUEST_LIMIT"] = 0
    res = run_action(admin.get(SCREEN), "invite", contacts[:2]).follow()
    assert smtp_server.messages == []
    assert "2 waiting for the delivery worker" in _report(res)


def test_undelivered_invitations_are_reported_with_address_and_error(db, admin, contacts, mail_app, smtp_server):
    smtp_server.stop()
    res = run_action(admin.get(SCREEN), "invite", contacts[:2]).follow()
    report = _report(res)
    # The first attempt found the server down; the second email was not tried (the round stops there).
    assert "1 not delivered yet (tried again automatically), 1 waiting for the delivery worker." in report
    assert "c00@acme.example: ConnectionRefusedError" in report
    assert "Invitation queued for 2 contact(s)" in flashes(res)


def test_a_hung_mail_server_holds_the_request_only_for_its_time_budget(db, admin, contacts, mail_app,
                                                                        hung_smtp_server):
    mail_app.config.update(MAIL_PORT=hung_smtp_server.port, OUTBOX_AFTER_REQUEST_SECONDS=1)
    mail_app.extensions["mail"].port = hung_smtp_server.port
    listing = admin.get(SCREEN)
    pages = []
    request = threading.Thread(target=lambda: pages.append(run_action(listing, "invite", contacts[:3]).follow()))
    request.start()
    # A generous bound that proves it does not hang: the budget is 1 s; a 30 s SMTP timeout per
    # email (what it did before) would take 90 s.
    request.join(timeout=45)
    assert not request.is_alive(), "the request was held by the hung mail server"
    assert "1 not delivered yet" in _report(pages[0]) and "2 waiting for the delivery worker" in _report(pages[0])
    assert "timed out" in _report(pages[0])


def test_deliver_now_sends_a_handful_and_leaves_the_rest_due_for_the_worker(db, admin, mail_app, smtp_server):
    emails = [outbox.queue("invoice", f"ap{n}@acme.example", f"Invoice {n}", "Hi") for n in range(7)]
    db.session.commit()
    res = outbox_action(admin, "deliver", emails)
    assert "Delivery: sent 5" in flashes(res)
    assert "2 more selected email(s) are due now: the delivery worker sends them." in flashes(res)
    assert len(smtp_server.messages) == 5
    assert deliver_due(mail_app).sent == 2
