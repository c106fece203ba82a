"""Alembic migrations build exactly the schema the models declare, on the engine the suite runs on.

Each test gets a FRESH empty database: a new PostgreSQL database on the DATABASE_URL server (dropped
afterwards) or a new SQLite file.
"""
from __future__ import annotations

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from portal import create_app
from portal.extensions import db as _db
from tests.fixtures_apps import keep_logging


@pytest.fixture
def migrated_app(fresh_database_url):
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": fresh_database_url})
    with app.app_context(), keep_logging():
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
