"""Apps of a test's own, on a fresh database of the suite's engine.

    def test_x(own_app):
        app = own_app(extra_features=[my_feature])       # tables from the models, roles seeded
        app = own_app(migrate=True)                        # tables from `portal init-db`'s migrations

Each database is new: a SQLite file under tmp_path, or a new PostgreSQL database on the
DATABASE_URL server, dropped afterwards. Tables a plugin imported during the test declared on the
shared metadata are forgotten afterwards, so the suite's own app never sees them.
"""
from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import make_url
from webtest import TestApp

from portal import create_app, schema
from portal.extensions import db as _db
from portal.services.bootstrap import seed_reference_data

PASSWORD = "correct horse battery"


def server_url() -> str | None:
    """DATABASE_URL when it points at PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql")) else None


@contextmanager
def fresh_database(folder: Path) -> Iterator[str]:
    """The URL of a new, empty database; dropped (PostgreSQL) when the block ends."""
    server = server_url()
    if server is None:
        folder.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{folder}/{uuid.uuid4().hex[:8]}.db"
        return
    import psycopg

    url = make_url(server.replace("postgres://", "postgresql://", 1))
    name = f"portal_own_{uuid.uuid4().hex[:12]}"
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
def fresh_database_url(tmp_path) -> Iterator[str]:
    with fresh_database(tmp_path / "fresh") as url:
        yield url


@contextmanager
def keep_logging():
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


@pytest.fixture
def own_app(tmp_path):
    """own_app(url=None, migrate=False, **create_app kwargs) -> an app on its own fresh database."""
    apps = []
    tables_before = set(_db.metadata.tables)
    with ExitStack() as stack:
        def build(url: str | None = None, migrate: bool = False, config: dict | None = None, **kwargs):
            url = url or stack.enter_context(fresh_database(tmp_path / f"app{len(apps)}"))
            app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                              "UPLOAD_DIR": str(tmp_path / "uploads"), **(config or {})}, **kwargs)
            with app.app_context():
                if migrate:
                    with keep_logging():
                        schema.upgrade()
                else:
                    _db.create_all()
                seed_reference_data()
                _db.session.commit()
            apps.append(app)
            return app

        yield build
        for app in apps:
            with app.app_context():
                _db.session.remove()
                _db.engine.dispose()
    for name in set(_db.metadata.tables) - tables_before:
        _db.metadata.remove(_db.metadata.tables[name])


def sign_in(app, email: str, password: str = PASSWORD) -> TestApp:
    """A browser of the app, signed in through the real form."""
    client = TestApp(app)
    form = client.get("/login").forms["login"]
    form["email"], form["password"] = email, password
    res = form.submit()
    assert res.status_int == 302, f"{email} could not sign in: {res.text[:500]}"
    return client


# --- one app per engine, for tests of concurrent transactions -----------------------------------------

def on_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql"))


@pytest.fixture
def sqlite_file_app(tmp_path):
    """An app on a SQLite file of its own (threads need a file, not the suite's rolled-back connection)."""
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/parallel.db",
                      "FEATURE_ENTRY_POINTS": False})
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(params=["sqlite-file", "postgresql"])
def engine_app(request):
    """An app on a file-backed SQLite, or the suite's app when it runs on PostgreSQL (committing for real)."""
    if request.param == "sqlite-file":
        return request.getfixturevalue("sqlite_file_app")
    if not on_postgresql():
        pytest.skip("PostgreSQL run only: set DATABASE_URL=postgresql://... (CI does)")
    request.getfixturevalue("committed_db")  # threads commit for real
    return request.getfixturevalue("app")
