"""`portal deliver-outbox`: the email delivery worker."""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.extensions import db
from portal.services import link_requests
from portal.services.outbox import deliver_due


@click.command("deliver-outbox")
@click.option("--loop", is_flag=True, help="Keep running, delivering due email every --interval seconds.")
@click.option("--interval", default=10.0, show_default=True, type=click.FloatRange(min=0.5),
              help="Seconds between rounds with --loop.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1),
              help="At most this many emails per round.")
@with_appcontext
def deliver_outbox_command(loop: bool, interval: float, limit: int) -> None:
    """Send queued outbox email (retries failed sends with backoff). Several workers may run at once.

    Each round first handles sign-in and reset link requests left over from the web processes."""
    app = current_app._get_current_object()
    if not app.config.get("MAIL_SERVER"):
        click.echo("MAIL_SERVER is not set: email is kept in the outbox as held, readable in the admin.")
    with _stop_on_sigterm(loop) as stop:
        while not stop.is_set():
            try:
                link_requests.handle(limit=limit)
                report = deliver_due(app, limit=limit)
            except Exception as exc:  # a worker keeps going (database restart, network)
                if not loop:
                    raise
                db.session.rollback()
                click.echo(f"delivery round failed: {exc}", err=True)
            else:
                if report.total or not loop:
                    click.echo(str(report))
                if report.sent + report.retrying + report.failed >= limit:
                    continue  # more may be due: go again without waiting
            finally:
                db.session.remove()
            if not loop:
                return
            try:
                stop.wait(interval)
            except KeyboardInterrupt:
                return
        click.echo("Stopped (SIGTERM) after finishing the round.")


@contextmanager
def _stop_on_sigterm(loop: bool):
    """With --loop, SIGTERM (docker stop, systemctl stop) ends the worker between rounds, never mid-send."""
    stop = threading.Event()
    if not loop or threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)
