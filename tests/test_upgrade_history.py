"""Upgrading from any released schema keeps every row: one walk through the whole migration history.

A fresh database is built at the first revision; every table gets a row (plain SQL built from the
reflected columns, since the models describe only the newest schema). Then the walk upgrades one
revision at a time to head: after each step every row written so far must still be there, and the
tables that step created get a row of their own (unless the step filled them from older rows). Revisions added later join the walk by themselves.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from decimal import Decimal

import flask_migrate
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Time,
    create_engine,
    inspect,
    make_url,
    select,
    text,
)
from sqlalchemy import func as sa_func

from portal import create_app
from portal.extensions import db as _db
from portal.schema import MIGRATIONS_DIR
from tests.fixtures_apps import fresh_database, keep_logging, server_url

WHEN = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def history() -> list[str]:
    """Every revision from the first to head, in the order they apply."""
    return [rev.revision for rev in reversed(list(ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()))]


def _value(table, column, filled: dict[str, dict]):
    for fk in column.foreign_keys:
        target_table, _, target_column = fk.target_fullname.rpartition(".")
        return filled.get(target_table, {}).get(target_column)
    model = _db.metadata.tables.get(table.name)
    modelled = model.c.get(column.name) if model is not None else None
    if modelled is not None and isinstance(modelled.type, Enum):
        return modelled.type.enums[0]
    kind = column.type
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, Integer):
        return 1
    if isinstance(kind, Numeric):
        return Decimal(1)
    if isinstance(kind, DateTime):
        return WHEN
    if isinstance(kind, Date):
        return date(2026, 1, 5)
    if isinstance(kind, Time):
        return time(10, 0)
    if isinstance(kind, JSON):
        return {}
    if isinstance(kind, LargeBinary):
        return b"1"
    if isinstance(kind, String) and kind.length:
        return "1" * min(kind.length, 8)
    return "1"


def _fill_new_tables(filled: dict[str, dict]) -> None:
    """One row in each table not filled yet; its key values are remembered for the rows referring to it."""
    new = [name for name in inspect(_db.engine).get_table_names()
           if name in _db.metadata.tables and name not in filled]  # not the history nor search indexes
    if not new:
        return
    metadata = MetaData()
    metadata.reflect(_db.engine, only=new, resolve_fks=False)
    tables = [metadata.tables[t.name] for t in _db.metadata.sorted_tables if t.name in new]  # referred-to first
    with _db.engine.begin() as conn:
        for table in tables:
            backfilled = conn.execute(select(table).limit(1)).mappings().first()
            if backfilled is not None:  # the migration filled its new table from older rows: keep those
                filled[table.name] = dict(backfilled)
                continue
            row = {}
            for column in table.columns:
                if column.primary_key or not column.nullable or column.foreign_keys:
                    if column.server_default is not None and not column.primary_key and not column.foreign_keys:
                        continue
                    row[column.name] = _value(table, column, filled)
            conn.execute(table.insert().values(**row))
            filled[table.name] = row
        if conn.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in tables:
                for column in table.primary_key.columns:
                    if isinstance(column.type, Integer):
                        conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, :c), 1)"),
                                     {"t": f'"{table.name}"', "c": column.name})


def _counts(tables) -> dict[str, int]:
    existing = set(inspect(_db.engine).get_table_names())
    with _db.engine.connect() as conn:
        return {name: conn.execute(select(sa_func.count()).select_from(text(f'"{name}"'))).scalar()
                for name in tables if name in existing}


@contextmanager
def _empty_database(suite_url: str, tmp_path) -> Iterator[tuple[str, dict]]:
    """An empty database: a new SQLite file, or on PostgreSQL a new schema of the suite's database first
    on the search path (much cheaper to make and drop than a database)."""
    if not server_url():
        with fresh_database(tmp_path / "fresh") as url:
            yield url, {}
        return
    schema = f"upgrade_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(suite_url).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield suite_url, {"connect_args": {"options": f"-c search_path={schema} -c statement_timeout=60000"}}
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def empty_app(suite_database_url, tmp_path):
    with _empty_database(suite_database_url, tmp_path) as (url, engine_options):
        app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                          "SQLALCHEMY_ENGINE_OPTIONS": engine_options})
        with app.app_context(), keep_logging():
            assert inspect(_db.engine).get_table_names() == [], "the database must start empty"
            yield app
            _db.session.remove()
            _db.engine.dispose()


def test_every_revision_upgrades_to_head_without_losing_a_row(empty_app):
    revisions = history()
    assert len(revisions) > 1
    filled: dict[str, dict] = {}
    flask_migrate.upgrade(revision=revisions[0])
    _fill_new_tables(filled)
    assert len(filled) > 20, "the first revision's tables each got a row"
    for revision in revisions[1:]:
        flask_migrate.upgrade(revision=revision)
        counts = _counts(filled)
        lost = {name: count for name, count in counts.items() if count < 1}
        assert not lost, f"upgrading to {revision} lost the rows of {sorted(lost)}"
        _fill_new_tables(filled)
    assert set(filled) >= set(_db.metadata.tables), "every table of head was filled on the way"
    with _db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == revisions[-1]

