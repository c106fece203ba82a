"""When the database is down, hung, renamed, locked or its file removed, every page answers a branded
503 with Retry-After (never a bare "Internal Server Error"), within the configured timeouts; /readyz
says so within 2 s; and the app recovers by itself when the database is back.

Real outages: PostgreSQL behind a TCP proxy that is stopped or hangs, a PostgreSQL database renamed
under the app, a SQLite file locked by another connection or moved away. Time bounds in these tests
are generous upper bounds that prove a request does not hang, not measurements.
"""
from __future__ import annotations

import sqlite3
import threading

import psycopg
import pytest
from sqlalchemy import make_url
from webtest import TestApp

from portal import settings
from portal.extensions import db as _db
from tests.factories import Factories
from tests.fixtures_apps import fresh_database, server_url
from tests.tcp_proxy import TCPProxy

OUTAGE_CONFIG = {"PROPAGATE_EXCEPTIONS": False, "DATABASE_CONNECT_TIMEOUT": 2, "DATABASE_STATEMENT_TIMEOUT": 1}
postgres_only = pytest.mark.skipif(server_url() is None, reason="needs DATABASE_URL pointing at PostgreSQL")


def _brand(app, name="Northwind Supply"):
    with app.app_context():
        settings.save({"branding.business_name": name})
        _db.session.commit()


def within(seconds: float, call):
    """call() in a thread; fails if it has not answered after `seconds` (a bound, not a measurement)."""
    result, errors = [], []

    def run():
        try:
            result.append(call())
        except Exception as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=seconds)
    assert not thread.is_alive(), f"no answer within {seconds} s: the request hangs"
    if errors:
        raise errors[0]
    return result[0]


def assert_branded_503(res, name="Northwind Supply"):
    assert res.status_int == 503, res.text[:500]
    assert res.headers["Retry-After"].isdigit()
    assert name in res.text
    assert "Internal Server Error" not in res.text
    assert "try again in a moment" in res.text.lower()


# --- SQLite -------------------------------------------------------------------------------------------

@pytest.fixture
def sqlite_app(own_app, tmp_path):
    path = tmp_path / "portal.db"
    app = own_app(url=f"sqlite:///{path}", config=OUTAGE_CONFIG)
    _brand(app)
    return app, path


def test_a_locked_sqlite_database_answers_503_within_the_lock_timeout_and_recovers(sqlite_app, make_staff):
    app, path = sqlite_app
    make_staff(app)
    client = TestApp(app)
    form = client.get("/login").forms["login"]
    form["email"], form["password"] = "staff@example.com", "correct horse battery"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock (a backup, a stuck job)
    try:
        res = within(20, lambda: form.submit(expect_errors=True))
        assert_branded_503(res)
    finally:
        other.execute("ROLLBACK")
        other.close()
    form = client.get("/login").forms["login"]
    form["email"], form["password"] = "staff@example.com", "correct horse battery"
    assert form.submit().status_int == 302


def test_a_removed_sqlite_file_answers_503_is_not_recreated_and_the_app_recovers(sqlite_app):
    app, path = sqlite_app
    client = TestApp(app)
    assert client.get("/login").status_int == 200
    moved = path.with_suffix(".moved")
    path.rename(moved)
    try:
        assert_branded_503(within(20, lambda: client.get("/login", expect_errors=True)))
        res = within(5, lambda: client.get("/readyz", expect_errors=True))
        assert res.status_int == 503
        assert not path.exists(), "an empty database was created in its place"
    finally:
        moved.rename(path)
    assert client.get("/login").status_int == 200
    assert client.get("/readyz").json == {"status": "ok"}


# --- PostgreSQL ------------------------------------------------------------------------------------------

@pytest.fixture
def proxied_app(own_app, tmp_path):
    """An app whose PostgreSQL connections go through a proxy the test controls."""
    with fresh_database(tmp_path / "pg") as url:
        real = make_url(url)
        proxy = TCPProxy(real.host or "127.0.0.1", real.port or 5432)
        try:
            proxied = real.set(host=proxy.host, port=proxy.port).render_as_string(hide_password=False)
            app = own_app(url=proxied, config=OUTAGE_CONFIG)
            _brand(app)
            yield app, proxy, real
            with app.app_context():
                _db.session.remove()
                _db.engine.dispose()  # before the database is dropped
        finally:
            proxy.close()


@postgres_only
def test_a_hung_or_stopped_postgresql_answers_503_quickly_and_the_app_recovers(proxied_app):
    app, proxy, _real = proxied_app
    client = TestApp(app)
    assert client.get("/login").status_int == 200

    proxy.hang()
    # Statement timeout 1 s, connect timeout 2 s: a generous bound proves the worker is not held.
    assert_branded_503(within(20, lambda: client.get("/login", expect_errors=True)))
    ready = within(5, lambda: client.get("/readyz", expect_errors=True))  # target: 2 s
    assert ready.status_int == 503

    proxy.down()
    assert_branded_503(within(20, lambda: client.get("/login", expect_errors=True)))
    assert within(5, lambda: client.get("/readyz", expect_errors=True)).status_int == 503

    proxy.forward()
    assert client.get("/login").status_int == 200
    assert client.get("/readyz").json == {"status": "ok"}


@postgres_only
def test_a_renamed_postgresql_database_answers_503_and_the_app_recovers_when_it_is_back(proxied_app):
    app, _proxy, real = proxied_app
    client = TestApp(app)
    assert client.get("/login").status_int == 200
    admin = {"host": real.host, "port": real.port, "user": real.username, "password": real.password,
             "dbname": "postgres", "autocommit": True}
    name = real.database
    with psycopg.connect(**admin) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        conn.execute(f'ALTER DATABASE "{name}" RENAME TO "{name}_away"')
    try:
        assert_branded_503(within(20, lambda: client.get("/login", expect_errors=True)))
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                         (f"{name}_away",))
            conn.execute(f'ALTER DATABASE "{name}_away" RENAME TO "{name}"')
    assert client.get("/login").status_int == 200


# --- helpers -------------------------------------------------------------------------------------------

@pytest.fixture
def make_staff():
    def make(app):
        with app.app_context():
            Factories(_db).staff(email="staff@example.com")

    return make
