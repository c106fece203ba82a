"""`portal send-reminders`: the daily payment reminders (portal.services.invoice_reminders)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal import settings
from portal.services import invoice_reminders


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Email reminders of invoices due soon and overdue. Run it daily: a second run the same day sends
    nothing again, and two runs at once send each reminder once. The emails go out with the outbox."""
    if not settings.is_enabled("invoices"):
        click.echo("The invoices feature is off: no reminders were sent.")
        return
    click.echo(str(invoice_reminders.send_due()))
