"""Delivery is effectively-once: a worker killed at any step, a hung or silent SMTP server and a worker
whose claim ran out lose nothing, and any repeat carries the same Message-ID (receivers drop it).

Real parts: aiosmtpd on 127.0.0.1, worker processes killed with SIGKILL, the suite's database engine.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from portal.extensions import db as _db
from portal.models import OutboxEmail, OutboxStatus
from portal.models.base import utcnow
from portal.services import outbox
from portal.services.outbox import deliver_due

ROOT = Path(__file__).resolve().parent.parent
SUBJECTS = ["Subject 0", "Subject 1", "Subject 2"]
#: (step, at which message): where the worker dies
KILL_POINTS = [
    ("connected", 1),      # talking to the server, nothing sent
    ("before_send", 2),    # message 1 sent and recorded, message 2 claimed
    ("mid_message", 2),    # the server has the recipient of message 2, not its content
    ("accepted", 2),       # the server stored message 2; the worker never heard "250"
    ("after_accept", 2),   # the worker heard "250" for message 2 and died before writing it down
]


def _queue(db, n=3):
    for i in range(n):
        outbox.queue("test", f"buyer{i}@example.com", f"Subject {i}", f"Body {i}\n")
    db.session.commit()


def _rows(db):
    db.session.expire_all()
    return db.session.execute(select(OutboxEmail).order_by(OutboxEmail.id)).scalars().all()


def _time_passes(db):
    """Every claim has run out and every retry is due (what waiting would do)."""
    db.session.execute(update(OutboxEmail).where(OutboxEmail.status.in_([OutboxStatus.queued, OutboxStatus.sending]))
                       .values(next_attempt_dt=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def _deliver_everything(app):
    for _round in range(10):
        if deliver_due(app).total == 0:
            return
    raise AssertionError("delivery did not settle in 10 rounds")


def _copies(smtp_server) -> dict[str, list[str]]:
    """Message-IDs the server received, per subject."""
    found = defaultdict(list)
    for message in smtp_server.messages:
        found[message["Subject"]].append(message["Message-ID"])
    return found


def _assert_effectively_once(db, smtp_server, *, repeats_allowed: int):
    copies = _copies(smtp_server)
    assert sorted(copies) == SUBJECTS, "an email was lost"
    for subject, ids in copies.items():
        assert len(set(ids)) == 1, f"{subject} was sent again with another Message-ID: {ids}"
    assert sum(len(ids) for ids in copies.values()) <= len(SUBJECTS) + repeats_allowed
    rows = _rows(db)
    assert [r.status for r in rows] == [OutboxStatus.sent] * len(SUBJECTS)
    assert {r.subject: r.message_id for r in rows} == {s: ids[0] for s, ids in copies.items()}


def _worker(app, port: int, step: str | None = None, at: int = 1, **config) -> subprocess.Popen:
    options = {"database": app.config["SQLALCHEMY_DATABASE_URI"], "mail_port": port, "step": step, "at": at,
               "config": config}
    return subprocess.Popen([sys.executable, "-m", "tests.outbox_fault_worker", json.dumps(options)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def _finish(process: subprocess.Popen, timeout: float) -> tuple[str, str]:
    """Wait for a worker process; one that outlives the bound is killed and the test fails."""
    try:
        return process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"the worker was still running after {timeout} s") from None


def _kill_from_the_server(smtp_server, step: str, at: int, victim: list[subprocess.Popen]):
    """The SMTP server SIGKILLs the worker in the middle of the at-th message."""
    seen = defaultdict(int)

    async def kill():
        while not victim:  # the process handle is set right after Popen
            await asyncio.sleep(0.01)
        os.kill(victim[0].pid, signal.SIGKILL)

    async def on_rcpt(envelope, address):
        seen["rcpt"] += 1
        if step == "mid_message" and seen["rcpt"] == at:
            await kill()

    async def on_data(envelope, keep):
        seen["data"] += 1
        if step == "accepted" and seen["data"] == at:
            keep()
            await kill()
            return "250 Message accepted for delivery"
        return None

    smtp_server.handler.on_rcpt = on_rcpt
    smtp_server.handler.on_data = on_data


@pytest.mark.parametrize("step, at", KILL_POINTS, ids=[step for step, _ in KILL_POINTS])
def test_a_worker_killed_at_any_step_loses_nothing_and_repeats_only_with_the_same_message_id(
        app, db, mail_app, smtp_server, step, at):
    _queue(db)
    victim: list[subprocess.Popen] = []
    _kill_from_the_server(smtp_server, step, at, victim)
    victim.append(_worker(app, smtp_server.port, step, at))
    out, err = _finish(victim[0], 120)
    assert victim[0].returncode == -signal.SIGKILL, f"the worker was not killed at {step}: {out}{err}"
    smtp_server.handler.on_rcpt = smtp_server.handler.on_data = None

    _time_passes(db)  # the dead worker's claim runs out
    _deliver_everything(mail_app)
    # Only a message the server may have accepted before the worker died can arrive twice.
    _assert_effectively_once(db, smtp_server, repeats_allowed=1 if step in ("accepted", "after_accept") else 0)


def test_a_hung_smtp_server_costs_one_timeout_and_loses_nothing(app, db, mail_app, smtp_server, hung_smtp_server):
    _queue(db)
    worker = _worker(app, hung_smtp_server.port, OUTBOX_SMTP_TIMEOUT=1)
    # Generous bound: one 1 s timeout plus start-up; without the fix it waits 30 s per message.
    _out, err = _finish(worker, 60)
    assert worker.returncode == 0, err
    assert hung_smtp_server.connections >= 1
    rows = _rows(db)
    assert {r.status for r in rows} == {OutboxStatus.queued}, "nothing is lost or given up"
    assert [r.attempts for r in rows] == [1, 0, 0], "the round stops at the first dead connection"
    assert "TimeoutError" in rows[0].last_error or "timed out" in rows[0].last_error

    _time_passes(db)
    _deliver_everything(mail_app)  # the real server is back
    _assert_effectively_once(db, smtp_server, repeats_allowed=0)


def test_a_server_that_keeps_the_message_but_never_answers_gets_it_again_with_the_same_message_id(
        db, mail_app, smtp_server):
    mail_app.config["OUTBOX_SMTP_TIMEOUT"] = 1
    released = threading.Event()

    async def store_and_hang(envelope, keep):
        keep()
        while not released.is_set():
            await asyncio.sleep(0.05)
        return "250 too late"

    smtp_server.handler.on_data = store_and_hang
    _queue(db, 1)
    try:
        assert deliver_due(mail_app).retrying == 1
    finally:
        released.set()
    smtp_server.handler.on_data = None
    _time_passes(db)
    _deliver_everything(mail_app)
    [row] = _rows(db)
    assert (row.status, row.attempts) == (OutboxStatus.sent, 2)
    [first, again] = smtp_server.messages
    assert first["Message-ID"] == again["Message-ID"] == row.message_id


def test_a_worker_whose_claim_ran_out_neither_sends_nor_overwrites(app, db, mail_app, smtp_server):
    """Worker A hangs on message 0 past its claim; worker B takes over and sends everything. A's late
    answer (a refusal) must not turn B's "sent" back into a retry, and A must not send what B took."""
    _queue(db)
    a_in_data, release_a = threading.Event(), threading.Event()
    first = []

    async def hold_the_first(envelope, keep):
        if first:
            return None
        first.append(envelope)
        a_in_data.set()
        while not release_a.is_set():
            await asyncio.sleep(0.05)
        return "451 4.3.0 Try again later"

    smtp_server.handler.on_data = hold_the_first
    errors = []

    def worker_a():
        try:
            with mail_app.app_context():
                deliver_due(mail_app)
                _db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    a = threading.Thread(target=worker_a)
    a.start()
    try:
        assert a_in_data.wait(timeout=60), "worker A never reached the server"
        _time_passes(db)  # A's claim runs out while its server hangs
        report = deliver_due(mail_app)  # worker B
        assert report.sent == 3
    finally:
        release_a.set()
        a.join(timeout=120)
    assert not a.is_alive() and errors == []

    _time_passes(db)
    _deliver_everything(mail_app)
    _assert_effectively_once(db, smtp_server, repeats_allowed=0)
