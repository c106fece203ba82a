"""`portal backup` and `portal restore ARCHIVE`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.services import backup, restore
from portal.services.backup_archive import BackupError


@click.command("backup")
@click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the archive (default: instance/backups).")
@click.option("--keep", type=click.IntRange(min=0), default=0, show_default=True,
              help="Afterwards delete all but the newest KEEP archives in that folder (0 keeps all).")
@with_appcontext
def backup_command(folder: Path | None, keep: int) -> None:
    """Write a dated archive of the database and the uploads, with a manifest; safe while the app runs."""
    app = current_app._get_current_object()
    try:
        archive = backup.create_backup(app, folder)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written to {archive} ({archive.stat().st_size} bytes).")
    if keep:
        for old in backup.prune(archive.parent, keep):
            click.echo(f"Deleted the older backup {old.name}.")


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(archive: Path) -> None:
    """Restore a `portal backup` archive into an empty database (checks every byte first)."""
    app = current_app._get_current_object()
    try:
        done = restore.restore_backup(app, archive)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    manifest = done.manifest
    click.echo(f"Restored {archive.name}: the {manifest.engine} database taken {manifest.created} by Portal "
               f"{manifest.app_version} (schema {manifest.schema_revision}) and {done.uploads} uploaded file(s).")
    if done.needs_upgrade:
        click.echo("Its schema is older than this version's: run `portal init-db` to upgrade it.")
