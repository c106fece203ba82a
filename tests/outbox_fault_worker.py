"""A delivery worker in a process of its own that SIGKILLs itself at one step: the fault tests' victim.

    python -m tests.outbox_fault_worker '{"database": URL, "mail_port": 2525, "step": "after_accept", "at": 2,
                                          "config": {...}}'

Steps it kills itself at (the `at`-th time the step is reached):
- "connected": the SMTP server's greeting was read, nothing was sent;
- "before_send": the message is claimed (and the ones before it recorded), not sent;
- "after_accept": the server answered "250" to the message, its status is not written yet.
Steps inside the SMTP conversation (the server has the message but the worker never hears "250") are
done by the test's SMTP server, which kills this process itself. Without a step it is a plain worker
(one round, like `portal deliver-outbox`) that prints its report.
"""
from __future__ import annotations

import json
import os
import signal
import smtplib
import sys

import flask_mail

from portal import create_app
from portal.services import outbox


def _die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _kill_around(owner, name: str, at: int, *, before: bool) -> None:
    original = getattr(owner, name)
    calls = [0]

    def wrapper(*args, **kwargs):
        calls[0] += 1
        if before and calls[0] == at:
            _die()
        result = original(*args, **kwargs)
        if not before and calls[0] == at:
            _die()
        return result

    setattr(owner, name, wrapper)


STEPS = {
    "connected": lambda at: _kill_around(smtplib.SMTP, "connect", at, before=False),
    "before_send": lambda at: _kill_around(flask_mail.Connection, "send", at, before=True),
    "after_accept": lambda at: _kill_around(flask_mail.Connection, "send", at, before=False),
}


def main() -> None:
    options = json.loads(sys.argv[1])
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": options["database"],
                      "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": options["mail_port"], "MAIL_USE_TLS": False,
                      "MAIL_USE_SSL": False, "MAIL_SUPPRESS_SEND": False, "TESTING": False,
                      **options.get("config", {})})
    step = options.get("step")
    if step in STEPS:
        STEPS[step](options.get("at", 1))
    print(outbox.deliver_due(app, limit=options.get("limit", 50)), flush=True)


if __name__ == "__main__":
    main()
