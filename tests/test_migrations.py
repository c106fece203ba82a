"""Alembic migrations build exactly the schema the models declare, on the engine the suite runs on.

Each test gets a FRESH empty database: a new PostgreSQL database on the DATABASE_URL server (dropped
afterwards) or a new SQLite file.
"""
from __future__ import annotations

import logging
import os
import uuid
from contextlib import contextmanager

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, make_url

from portal import create_app
from portal.extensions import db as _db


@contextmanager
def _keep_logging():
    """migrations/env.py calls logging.config.fileConfig, which disables every existing logger."""
    manager = logging.root.manager
    disabled = {name: lg.disabled for name, lg in manager.loggerDict.items() if isinstance(lg, logging.Logger)}
    root_level, root_handlers = logging.root.level, list(logging.root.handlers)
    try:
        yield
    finally:
        for name, was in disabled.items():
            manager.loggerDict[name].disabled = was
        logging.root.setLevel(root_level)
        logging.root.handlers[:] = root_handlers


def _server_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql")) else None


@pytest.fixture
def fresh_database_url(tmp_path):
    server = _server_url()
    if server is None:
        yield f"sqlite:///{tmp_path}/migrations.db"
        return
    import psycopg

    url = make_url(server.replace("postgres://", "postgresql://", 1))
    name = f"portal_mig_{uuid.uuid4().hex[:12]}"
    admin = {"host": url.host or "127.0.0.1", "port": url.port or 5432, "user": url.username or "postgres",
             "password": url.password, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migrated_app(fresh_database_url):
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": fresh_database_url})
    with app.app_context(), _keep_logging():
        assert inspect(_db.engine).get_table_names() == [], "the database must start empty"
        yield app
        _db.session.remove()
        _db.engine.dispose()


def schema_differences() -> list:
    with _db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, _db.metadata)


def test_upgrade_head_builds_exactly_the_models_schema(migrated_app):
    flask_migrate.upgrade()
    tables = set(inspect(_db.engine).get_table_names())
    assert set(_db.metadata.tables) <= tables
    differences = schema_differences()
    assert differences == [], (
        "migrations and models disagree; regenerate the migration (flask db migrate):\n"
        + "\n".join(map(repr, differences)))


def test_downgrade_to_base_and_upgrade_again(migrated_app):
    flask_migrate.upgrade()
    flask_migrate.downgrade(revision="base")
    assert set(inspect(_db.engine).get_table_names()) <= {"alembic_version"}
    flask_migrate.upgrade()
    assert schema_differences() == []
