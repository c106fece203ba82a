"""`portal restore ARCHIVE`: a backup back into an empty database, after every check has passed.

Nothing is written until the archive has been verified in full (see backup_archive), its engine
matches DATABASE_URL's, its schema revision is one this code knows, the database is empty and no
upload of the same name with other content is in the way.
"""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask
from sqlalchemy import inspect

from portal.extensions import db
from portal.schema import MIGRATIONS_DIR
from portal.services import pg_tools, storage
from portal.services.backup import copy_sqlite, engine_name, sqlite_path
from portal.services.backup_archive import BackupError, Manifest, open_archive, sha256_of


@dataclass
class Restored:
    manifest: Manifest
    uploads: int
    head: str

    @property
    def needs_upgrade(self) -> bool:
        return self.manifest.schema_revision != self.head


def _script() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS_DIR))


def check_revision(revision: str) -> str:
    """This code's head, once the archive's revision is known to be in its history (else BackupError)."""
    script = _script()
    head = " ".join(sorted(script.get_heads()))
    for rev in revision.split():
        try:
            known = script.get_revision(rev) is not None
        except CommandError:
            known = False
        if not known:
            raise BackupError(f"The backup's schema revision {rev} is not in this version's migration history "
                              f"(head {head}): it was taken by a newer Portal. Install that version to restore it.")
    return head


def _check_empty_database() -> None:
    tables = inspect(db.engine).get_table_names()
    if tables:
        raise BackupError(f"The database at {db.engine.url.render_as_string(hide_password=True)} is not empty "
                          f"({len(tables)} tables). Restore into a new, empty database.")


def _check_uploads(app: Flask, manifest: Manifest, unpacked: Path) -> None:
    folder = storage.upload_dir(app)
    for member in manifest.uploads:
        existing = folder / Path(member).name
        if existing.exists() and sha256_of(existing) != manifest.files[member]["sha256"]:
            raise BackupError(f"{existing} already exists with other content; restore into an empty uploads folder.")


def restore_backup(app: Flask, archive: Path) -> Restored:
    """Verify the archive, then load its database and uploads into this (empty) instance."""
    engine = db.engine
    target_engine = engine_name(engine)
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as work:
        unpacked = Path(work)
        manifest = open_archive(Path(archive), unpacked)
        if manifest.engine != target_engine:
            raise BackupError(f"The backup holds a {manifest.engine} database but DATABASE_URL points at "
                              f"{target_engine}; restore it into a {manifest.engine} database.")
        head = check_revision(manifest.schema_revision)
        _check_empty_database()
        _check_uploads(app, manifest, unpacked)
        if target_engine == "postgresql":
            pg_tools.checked_tool("pg_restore", engine)
        db.session.remove()
        engine.dispose()
        database = unpacked / manifest.database_member
        if target_engine == "sqlite":
            _restore_sqlite(database, sqlite_path(engine))
        else:
            pg_tools.restore(engine, database)
        folder = storage.upload_dir(app)
        for member in manifest.uploads:
            shutil.copyfile(unpacked / member, folder / Path(member).name)
    return Restored(manifest=manifest, uploads=len(manifest.uploads), head=head)


def _restore_sqlite(source: Path, target: Path) -> None:
    copy_sqlite(source, target)
    conn = sqlite3.connect(target)
    try:
        conn.execute("PRAGMA journal_mode=WAL")  # as the app runs it
    finally:
        conn.close()
