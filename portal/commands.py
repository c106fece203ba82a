"""CLI commands, registered on the app (`flask ...`) and on the `portal` entry point."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect
from werkzeug import serving

from portal import schema
from portal.commands_backup import backup_command, restore_command
from portal.commands_figures import reconcile_figures_command
from portal.commands_mail import deliver_outbox_command
from portal.commands_quotes import quotes_group
from portal.commands_reminders import send_reminders_command
from portal.demo import seed_demo
from portal.demo.logins import ensure_demo_logins, format_logins
from portal.extensions import db
from portal.schema import MIGRATIONS_DIR
from portal.services.bootstrap import SetupError, create_staff_user, seed_reference_data


def all_commands():
    return [init_db_command, create_admin_command, seed_demo_command, demo_command, deliver_outbox_command,
            send_reminders_command, quotes_group, backup_command, restore_command,
            reconcile_figures_command]


# --- helpers --------------------------------------------------------------------------------------

def _has_table(name: str) -> bool:
    return inspect(db.engine).has_table(name)


def upgrade_schema() -> None:
    """Apply the core's and the installed features' migrations (creates every table on an empty database)."""
    if not (MIGRATIONS_DIR / "env.py").exists():
        raise click.ClickException(f"The migrations folder was not found at {MIGRATIONS_DIR}. "
                                   "Run Portal from a checkout of the repository (pip install -e .).")
    if _has_table("user") and not _has_table("alembic_version"):
        raise click.ClickException(
            "The database has tables but no migration history (it was probably created without "
            "migrations). If its schema is current, mark it once with `portal db stamp head`, then run "
            "`portal init-db` again.")
    schema.upgrade()


def seed_reference() -> list[str]:
    created = seed_reference_data()
    db.session.commit()
    return created


def _require_schema() -> None:
    if not _has_table("company"):
        raise click.ClickException("The database has no tables yet. Run `portal init-db` first.")


def _refuse_in_production(what: str) -> None:
    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException(f"{what} publishes known passwords and is not available with "
                                   "PORTAL_ENV=production.")


def _load_demo(when_not_empty: str) -> bool:
    loaded = seed_demo()
    click.echo("Loaded the Northwind Supply demo data." if loaded else when_not_empty)
    return loaded


# --- commands -------------------------------------------------------------------------------------

@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema, then add the built-in roles and default price tier."""
    upgrade_schema()
    created = seed_reference()
    click.echo("Database schema is up to date.")
    click.echo("Added: " + ", ".join(created) + "." if created else "Reference data was already in place.")


@click.command("create-admin")
@click.option("--email", prompt=True, help="Sign-in email of the new staff user.")
@click.option("--name", prompt=True, help="Full name shown in the back office.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="At least 10 characters; asked for (hidden, twice) when not given.")
@with_appcontext
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create a staff user who can sign in to the back office (/admin)."""
    _require_schema()
    try:
        user = create_staff_user(email, name, password)
    except SetupError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created staff user {user.name} <{user.email}>. Sign in at /login to reach the back office.")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the Northwind Supply demo data into an empty database (never over existing companies)."""
    _refuse_in_production("The demo data")
    _require_schema()
    _load_demo("The database already holds companies or products, so the demo data was not loaded "
               "(it only goes into an empty database). Nothing was changed.")


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@with_appcontext
def demo_command(host: str, port: int) -> None:
    """Set up the database, load the demo data if it is empty, print the sign-ins and serve the portal."""
    _refuse_in_production("The demo")
    app = current_app._get_current_object()
    upgrade_schema()
    seed_reference()
    _load_demo("Keeping the data already in the database (demo data only goes into an empty database).")
    logins = ensure_demo_logins()
    db.session.commit()
    db.session.remove()

    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown_host}:{port}/"
    click.echo("")
    click.echo(f"Portal demo: {url}")
    click.echo(f"Back office: {url}admin/")
    if logins:
        click.echo("Sign in as:")
        click.echo(format_logins(logins))
    else:
        click.echo("This database was not seeded with the demo, so there are no demo sign-ins. "
                   "Create a staff user with `portal create-admin`.")
    click.echo("Stop with Ctrl+C; the data stays in the database for the next run.")
    click.echo("")
    serving.run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
