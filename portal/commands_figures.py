"""`portal reconcile-figures`: recompute every company's kept figures from its documents and fix them."""
from __future__ import annotations

import click

from portal.extensions import db
from portal.services import company_figures


@click.command("reconcile-figures")
@click.option("--check", is_flag=True, help="Only report the differences (exit 1 when there are any); change nothing.")
def reconcile_figures_command(check: bool) -> None:
    """Recompute total orders and total sales of every company from its orders; report and fix differences.

    Run it after importing orders with SQL (anything that bypasses the application); running it again
    finds nothing to fix."""
    differences = company_figures.reconcile(fix=not check)
    for d in differences:
        click.echo(f"company {d.company_id} {d.currency}: kept {d.kept[0]} orders / {d.kept[1]}, "
                   f"actual {d.actual[0]} orders / {d.actual[1]}")
    if check:
        db.session.rollback()
        if differences:
            raise SystemExit(1)
        click.echo("OK: every company's figures match its orders.")
        return
    db.session.commit()
    click.echo(f"Fixed {len(differences)} figure row(s)." if differences
               else "OK: every company's figures match its orders.")
