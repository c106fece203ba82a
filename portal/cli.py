"""The `portal` command line: database, demo, staff accounts, outbox worker."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from portal.commands import all_commands
from portal.startup_checks import exit_on_refusal


def register_commands(app: Flask) -> None:
    for command in all_commands():
        app.cli.add_command(command)


def _create_app():
    # portal/__init__.py imports this module to register the commands, so create_app is looked up
    # only when the `portal` command runs.
    from portal import create_app  # noqa: PLC0415

    return exit_on_refusal(create_app)


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def main():
    """Manage a Portal instance."""
