"""`portal backup`: a consistent copy of the database and the uploads, taken while the app runs.

SQLite is copied with SQLite's online backup API in one step (a read snapshot, writers carry on);
PostgreSQL with pg_dump (one repeatable-read transaction). The uploads are copied after the database,
so every file the copied rows name is there (files are stored before the rows naming them commit);
files written since the snapshot began are left out, as no row in it names them.
"""
from __future__ import annotations

import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from portal.extensions import db
from portal.services import pg_tools, storage
from portal.services.backup_archive import DATABASE_MEMBERS, BackupError, Manifest, write_archive

ARCHIVE_PREFIX = "portal-backup-"
ARCHIVE_SUFFIX = ".tar.gz"


def default_folder(app: Flask) -> Path:
    return Path(app.instance_path) / "backups"


def app_version() -> str:
    try:
        return metadata.version("portal")
    except metadata.PackageNotFoundError:
        return "unknown"


def engine_name(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name


def sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("The database is not a SQLite file, so there is nothing to back up or restore into.")
    return Path(database)


def schema_revision(engine: Engine) -> str:
    """The core schema's Alembic revision (what `portal init-db` recorded)."""
    if not inspect(engine).has_table("alembic_version"):
        raise BackupError("The database has no migration history (alembic_version); run `portal init-db` "
                          "(or `portal db stamp head` for a schema made without migrations) first.")
    with engine.connect() as conn:
        revisions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if not revisions:
        raise BackupError("The database's migration history is empty; run `portal init-db` first.")
    return " ".join(sorted(revisions))


def create_backup(app: Flask, folder: Path | None = None, now: datetime | None = None) -> Path:
    """Write a dated archive into folder (default instance/backups) and return its path."""
    engine = db.engine
    engine_kind = engine_name(engine)
    revision = schema_revision(engine)
    now = now or datetime.now(UTC)
    folder = Path(folder or default_folder(app))
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / f"{ARCHIVE_PREFIX}{now:%Y%m%d-%H%M%S}{ARCHIVE_SUFFIX}"
    if target.exists():
        raise BackupError(f"{target} already exists; wait a second and try again.")
    with tempfile.TemporaryDirectory(prefix=".unfinished-", dir=folder) as work:
        database = Path(work) / DATABASE_MEMBERS[engine_kind]
        snapshot_started = time.time()
        if engine_kind == "sqlite":
            copy_sqlite(sqlite_path(engine), database)
        else:
            pg_tools.dump(engine, database)
        members = {database.name: database}
        uploads = storage.upload_dir(app)
        for path in sorted(uploads.iterdir()):
            # A file still being written belongs to a row the snapshot does not hold: leave it out.
            if (path.is_file() and storage.STORED_NAME.fullmatch(path.name)
                    and path.stat().st_mtime <= snapshot_started):
                members[f"uploads/{path.name}"] = path
        manifest = Manifest(engine=engine_kind, schema_revision=revision, app_version=app_version(),
                            created=now.isoformat(timespec="seconds"))
        write_archive(target, manifest, members)
    return target


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite file, as one self-contained file (no -wal beside it)."""
    if not source.is_file():
        raise BackupError(f"The SQLite database {source} does not exist.")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # all pages in one step: one read snapshot, however busy the writers are
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives this command wrote in folder; returns the deleted ones."""
    archives = sorted(p for p in folder.glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}") if p.is_file())
    old = archives[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old
