"""The database schema: the core's Alembic migrations, then each installed feature's own.

A feature that owns tables (a plugin) ships its revisions in its own package and names the folder
in ``Feature.migrations`` ("package:folder"). Its history is kept in a version table of its own
(``alembic_version_<key>``), so uninstalling the plugin leaves the core's history untouched: its
tables stay, nothing reads them, and a later ``portal init-db`` runs as before.
"""
from __future__ import annotations

import importlib
from pathlib import Path

import flask_migrate
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from portal.contract import Feature
from portal.database import without_timeouts
from portal.extensions import db
from portal.features import registry

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def version_table(feature: Feature) -> str:
    return f"alembic_version_{feature.key}"


def versions_dir(feature: Feature) -> Path:
    package, _, folder = (feature.migrations or "").partition(":")
    module = importlib.import_module(package)
    path = Path(module.__file__).resolve().parent / (folder or "migrations")
    if not path.is_dir():
        raise FileNotFoundError(f"feature {feature.key!r}: migrations folder {path} does not exist")
    return path


def upgrade() -> None:
    """Core migrations to head; migrations/env.py then upgrades every installed feature's own."""
    flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))


def upgrade_features() -> list[str]:
    """Apply every installed feature's own revisions to head; returns the keys of those features."""
    done = []
    for feature in registry():
        if feature.migrations:
            _upgrade_feature(feature)
            done.append(feature.key)
    return done


def _upgrade_feature(feature: Feature) -> None:
    # A MigrationContext of its own (not an EnvironmentContext): this also runs from inside the
    # core's migrations/env.py, whose `alembic.context` must stay installed.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_locations", str(versions_dir(feature)))
    script = ScriptDirectory.from_config(config)

    def to_head(revision, context):
        return script._upgrade_revs("heads", revision)

    with db.engine.connect() as connection, without_timeouts(connection):
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # table copies in batch mode must not trip over foreign keys (see migrations/env.py)
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            context = MigrationContext.configure(connection, opts={
                "version_table": version_table(feature), "fn": to_head, "script": script,
                "target_metadata": db.metadata})
            with Operations.context(context), context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
