"""`portal quotes verify`: check the e-signature evidence of accepted quotes."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.services import quote_evidence

quotes_group = AppGroup("quotes", help="Quotes: check the evidence of their e-signatures.")


@quotes_group.command("verify")
@click.option("--quote", "number", default=None, help="Check only this quote's records (by number, e.g. Q-2026-0001); "
                                                       "the chain is always checked whole.")
def verify_command(number: str | None) -> None:
    """Verify the signature chain and each record's evidence; exits non-zero when anything fails."""
    try:
        report = quote_evidence.verify(number)
    except quote_evidence.UnknownQuote:
        raise click.ClickException(f"No quote numbered {number}.") from None
    for problem in report.problems:
        click.echo(f"FAIL {problem}", err=True)
    if not report.ok:
        raise SystemExit(1)
    click.echo(f"OK: {report.records} signature record(s) chained, {report.checked} checked in full.")
