"""Fixtures: one app per session, each test in a transaction rolled back at its end, WebTest client, factories."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager, suppress

import psycopg
import pytest
from flask import current_app, g, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import event, make_url, text
from sqlalchemy.orm import scoped_session, sessionmaker
from webtest import TestApp

from portal import create_app
from portal.extensions import db as _db
from portal.extensions import limiter
from portal.services.roles import seed_roles
from tests.factories import Factories

PASSWORD = "correct horse battery"

# Fixture modules owned by their areas: live server + browser, SMTP server.
pytest_plugins = ["tests.fixtures_admin", "tests.fixtures_apps", "tests.fixtures_browser", "tests.fixtures_mail"]


@contextmanager
def _suite_database(tmpdir: str):
    """The suite's database: a SQLite file of this process, or DATABASE_URL — with pytest-xdist a
    database of each worker's own on that PostgreSQL server (DATABASE_URL's name + the worker's id),
    created fresh and dropped at the end."""
    url, worker = os.environ.get("DATABASE_URL"), os.environ.get("PYTEST_XDIST_WORKER")
    if not url:
        yield f"sqlite:///{tmpdir}/test.db"
        return
    if not worker or not url.startswith(("postgres://", "postgresql")):
        yield url
        return
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    name = f"{parsed.database}_{worker}"
    server = {"host": parsed.host or "127.0.0.1", "port": parsed.port or 5432, "user": parsed.username or "postgres",
              "password": parsed.password, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def suite_database_url(tmp_path_factory):
    with _suite_database(str(tmp_path_factory.mktemp("db"))) as url:
        yield url


@pytest.fixture(scope="session")
def app(suite_database_url):
    tmpdir = tempfile.mkdtemp(prefix="portal-test-")
    app = create_app({
        "PORTAL_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": suite_database_url,
        "UPLOAD_DIR": os.path.join(tmpdir, "uploads"),
    })
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        baseline()
    yield app
    with app.app_context():
        _db.session.remove()
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            _db.drop_all()
        _db.engine.dispose()


def _wipe() -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # DELETE, children first, in one round trip, then every sequence back to 1: on the few rows a
            # test leaves this takes ~5 ms, where TRUNCATE's new files for ~70 tables take ~120 ms
            conn.exec_driver_sql("; ".join(f'DELETE FROM "{t}"' for t in tables) + "; SELECT setval(c.oid, 1, false) "
                                 "FROM pg_class c WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace")
        else:
            # Children first, so foreign keys stay enforced (a PRAGMA inside a transaction is ignored).
            for t in tables:
                conn.execute(text(f'DELETE FROM "{t}"'))


def baseline() -> None:
    """What every test starts from: empty tables but the built-in roles, committed."""
    _wipe()
    seed_roles()
    _db.session.commit()
    _db.session.remove()


#: tests using one of these need data really committed: another thread, connection or app reads it
#: (mail_app: the outbox is read back from a connection of its own, and workers deliver in threads)
COMMITTING_FIXTURES = {"committed_db", "live_server", "live_client", "new_browser_page", "own_app",
                       "fresh_database_url", "mail_app"}


def _needs_commits(request) -> bool:
    return bool(COMMITTING_FIXTURES & set(request.fixturenames)) or request.node.get_closest_marker("committed")


class _BoundSession(FlaskSession):
    """The suite's session during a test: every statement of the session app goes through the test's
    connection, inside its outer transaction; other apps (own_app) keep their own engines."""

    test_app = None
    test_connection = None

    def get_bind(self, *args, **kwargs):
        if current_app._get_current_object() is self.test_app:
            return self.test_connection
        return super().get_bind(*args, **kwargs)


def _no_lock_wait(dbapi_connection, connection_record, connection_proxy):
    dbapi_connection.execute("PRAGMA busy_timeout = 0")


def _lock_wait(dbapi_connection, connection_record):
    """Back to the suite app's lock timeout (its DATABASE_STATEMENT_TIMEOUT, as the engine connects)."""
    with suppress(Exception):  # a closed connection is not reused
        dbapi_connection.execute(f"PRAGMA busy_timeout = {int(_lock_wait.seconds * 1000)}")


_lock_wait.seconds = 10.0


@contextmanager
def _rolled_back(app):
    """Run the test inside a transaction that is rolled back at the end: each commit of the app is a
    SAVEPOINT released, each rollback a rollback to it; nothing reaches the database."""
    connection = _db.engine.connect()
    raw = connection.connection.dbapi_connection
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # pysqlite begins transactions itself and knows no SAVEPOINT: take over (SQLAlchemy's recipe)
        saved_isolation = raw.isolation_level
        raw.isolation_level = None
    outer = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
        # The test's connection holds SQLite's write lock until the rollback, so a write from another
        # connection of the pool meanwhile (the sign-in session bookkeeping's own short transaction) can
        # only fail, after the full lock timeout: let it fail at once — the same outcome, without the wait.
        _lock_wait.seconds = float(app.config.get("DATABASE_STATEMENT_TIMEOUT", 10))
        event.listen(_db.engine, "checkout", _no_lock_wait)
        event.listen(_db.engine, "checkin", _lock_wait)
    session_factory = _db.session
    _BoundSession.test_app, _BoundSession.test_connection = app, connection
    _db.session = scoped_session(sessionmaker(class_=_BoundSession, db=_db, join_transaction_mode="create_savepoint"),
                                 scopefunc=_app_ctx_id)
    try:
        yield
    finally:
        _db.session.remove()
        _db.session = session_factory
        _BoundSession.test_app = _BoundSession.test_connection = None
        outer.rollback()
        if sqlite:
            event.remove(_db.engine, "checkout", _no_lock_wait)
            event.remove(_db.engine, "checkin", _lock_wait)
            raw.isolation_level = saved_isolation
        connection.close()


@contextmanager
def _committed():
    baseline()
    try:
        yield
    finally:
        _db.session.rollback()
        _db.session.remove()
        baseline()


@pytest.fixture
def db(app, request):
    """The database with the built-in roles, inside an app context. Whatever the test writes is rolled
    back at the end (one SAVEPOINT per commit), unless the test needs real commits (COMMITTING_FIXTURES,
    the `committed` marker): then the tables are emptied before and after."""
    with app.app_context():
        limiter.reset()
        with _committed() if _needs_commits(request) else _rolled_back(app):
            yield _db


@pytest.fixture
def committed_db(app, request):
    """The database for a test whose data must really be committed (threads, other connections)."""
    if "db" in request.fixturenames:
        yield request.getfixturevalue("db")  # which sees committed_db among the test's fixtures
        return
    with app.app_context():
        limiter.reset()
        with _committed():
            yield _db


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


TEST_TRANSACTION_STATEMENTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


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
            if statement.startswith(TEST_TRANSACTION_STATEMENTS):
                return  # the test's own savepoints; production runs none of them
            counter.count += 1
            counter.statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting
