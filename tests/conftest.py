"""Fixtures: one app per session, a clean database per test, WebTest client, factories."""
from __future__ import annotations

import os
import tempfile

import pytest
from flask import g, has_app_context
from sqlalchemy import event, text
from webtest import TestApp

from portal import create_app
from portal.extensions import db as _db
from portal.extensions import limiter
from tests.factories import Factories

PASSWORD = "correct horse battery"

# Fixture modules owned by their areas: live server + browser, SMTP server.
pytest_plugins = ["tests.fixtures_admin", "tests.fixtures_apps", "tests.fixtures_browser", "tests.fixtures_mail"]


def _database_url(tmpdir: str) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmpdir}/test.db"


@pytest.fixture(scope="session")
def app():
    tmpdir = tempfile.mkdtemp(prefix="portal-test-")
    app = create_app({
        "PORTAL_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": _database_url(tmpdir),
        "UPLOAD_DIR": os.path.join(tmpdir, "uploads"),
    })
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            _db.drop_all()
        _db.engine.dispose()


def _wipe(app) -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            # Children first, so foreign keys stay enforced (a PRAGMA inside a transaction is ignored).
            for t in tables:
                conn.execute(text(f'DELETE FROM "{t}"'))


@pytest.fixture
def db(app):
    """A clean database with the built-in roles, inside an app context."""
    with app.app_context():
        _wipe(app)
        from portal.services.roles import seed_roles

        seed_roles()
        _db.session.commit()
        limiter.reset()
        yield _db
        _db.session.rollback()
        _db.session.remove()


class _FreshG:
    """The test holds an app context, which Flask reuses for each WebTest request; give every
    request an empty `g` as in production (else current_user and acting() leak between requests)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if has_app_context():
            g.__dict__.clear()
        return self.app(environ, start_response)


@pytest.fixture
def testapp(app, db):
    return TestApp(_FreshG(app))


@pytest.fixture
def make(db):
    return Factories(db)


@pytest.fixture
def login():
    """login(testapp, user, password=PASSWORD) signs in through the real form."""

    def do_login(testapp, user, password=PASSWORD, expect_success=True):
        res = testapp.get("/login")
        form = res.forms["login"]
        form["email"] = user.email
        form["password"] = password
        res = form.submit()
        if expect_success:
            assert res.status_int == 302, res.text[:2000]
            return res.follow()
        return res

    return do_login


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ...; counter.count is the number of SQL statements."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        class Counter:
            def __init__(self):
                self.count = 0
                self.statements: list[str] = []

        counter = Counter()

        def before(conn, cursor, statement, *args):
            counter.count += 1
            counter.statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting
