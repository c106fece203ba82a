"""The database connection: bounded waits on both engines, and what "the database is unavailable" is.

- PostgreSQL: connecting gives up after DATABASE_CONNECT_TIMEOUT; a statement after
  DATABASE_STATEMENT_TIMEOUT, on the server (statement_timeout) and on the client: every wait for
  the server ends a moment later, so a hung network or proxy (the server never hears the query) no
  longer holds a worker until gunicorn kills it. The connection is then closed and replaced.
- SQLite: a statement waits at most DATABASE_STATEMENT_TIMEOUT for another writer's lock. Once the
  database file exists it is opened read-write only, and a pooled connection to a file that is no
  longer at its path (moved, deleted) is replaced: a missing file is an outage, never a new empty
  database nor writes into a deleted one.
Errors of these kinds (UNAVAILABLE) are answered with a 503 (portal.web); the app recovers by itself.
"""
from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import quote

import psycopg
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from portal.extensions import db
from portal.models import SettingValue

#: errors that mean the database cannot be reached or did not answer in time (not a bug in a query)
UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)
#: the client waits this much longer than the server's statement_timeout (which cancels cleanly)
CLIENT_GRACE_SECONDS = 2.0
#: psycopg >= 3.2 bounds a wait for the server (Connection.wait(timeout=...)) and raises this
_WAIT_TIMEOUT = getattr(psycopg.errors, "_WaitTimeout", ())


def engine_options(uri: str, config) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS for `uri` with the configured timeouts (explicitly configured ones win)."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect = float(config.get("DATABASE_CONNECT_TIMEOUT", 5))
    statement = float(config.get("DATABASE_STATEMENT_TIMEOUT", 10))
    if uri.startswith("sqlite"):
        args = {"timeout": statement}
        in_memory = uri in ("sqlite://", "sqlite:///:memory:")
    else:
        args = {"connect_timeout": max(math.ceil(connect), 2)}  # libpq's minimum is 2 s
        if statement > 0:
            args["options"] = f"-c statement_timeout={int(statement * 1000)}"
        options.setdefault("pool_pre_ping", True)
        in_memory = False
    options["connect_args"] = {**args, **(options.get("connect_args") or {})}
    if not in_memory:  # waiting for a free pooled connection is part of connecting
        options.setdefault("pool_timeout", connect)
    return options


def install(app: Flask) -> None:
    """Attach the engine's connection behaviour (call after db.init_app)."""
    with app.app_context():
        engine = db.engine
    statement = float(app.config.get("DATABASE_STATEMENT_TIMEOUT", 10))
    if engine.dialect.name == "postgresql":
        _bound_postgresql_waits(engine, statement + CLIENT_GRACE_SECONDS if statement > 0 else None)
    elif engine.dialect.name == "sqlite":
        _guard_sqlite_file(engine)
    app.extensions["portal_readiness"] = ReadinessProbe(app)


# --- PostgreSQL --------------------------------------------------------------------------------------

class TimedConnection(psycopg.Connection):
    """psycopg's connection whose every wait for the server ends after `deadline` seconds."""

    deadline: float | None = None

    def wait(self, gen, *args, **kwargs):
        if self.deadline is not None and _WAIT_TIMEOUT and len(args) < 2 and kwargs.get("timeout") is None:
            kwargs["timeout"] = self.deadline
        try:
            return super().wait(gen, *args, **kwargs)
        except _WAIT_TIMEOUT as exc:
            # The server's answer may still come: the connection is in an unknown state.
            self.pgconn.finish()
            raise psycopg.OperationalError(f"the database did not answer within {kwargs['timeout']:g} s") from exc


def _bound_postgresql_waits(engine: Engine, deadline: float | None) -> None:
    @event.listens_for(engine, "do_connect")
    def connect(dialect, connection_record, cargs, cparams):
        connection = TimedConnection.connect(*cargs, **cparams)
        connection.deadline = deadline
        return connection


@contextmanager
def without_timeouts(connection) -> Iterator[None]:
    """No statement timeout on this SQLAlchemy connection while the block runs (migrations); the
    connection is discarded afterwards rather than returned to the pool without its timeout."""
    dbapi = connection.connection.dbapi_connection
    if connection.dialect.name != "postgresql" or not isinstance(dbapi, TimedConnection):
        yield
        return
    dbapi.deadline = None
    connection.exec_driver_sql("SET statement_timeout = 0")
    connection.commit()  # the migrations begin their own transaction
    try:
        yield
    finally:
        connection.invalidate()


# --- SQLite ------------------------------------------------------------------------------------------

def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return (found.st_dev, found.st_ino)


def _guard_sqlite_file(engine: Engine) -> None:
    path = engine.url.database
    if not path or path == ":memory:" or (engine.url.query.get("uri") or "").lower() in ("true", "1"):
        return
    path = os.path.abspath(path)
    seen = {"file": False}

    @event.listens_for(engine, "do_connect")
    def connect(dialect, connection_record, cargs, cparams):
        if seen["file"] or os.path.exists(path):
            # Read-write only: a missing file is an error, not a new empty database.
            cargs[:] = [f"file:{quote(path)}?mode=rw"]
            cparams["uri"] = True

    @event.listens_for(engine, "connect")
    def remember(dbapi_connection, connection_record):
        seen["file"] = True  # from now on the file exists, or it is an outage
        connection_record.info["portal_file"] = _file_identity(path)

    @event.listens_for(engine, "checkout")
    def still_there(dbapi_connection, connection_record, connection_proxy):
        if _file_identity(path) != connection_record.info.get("portal_file"):
            # Moved or deleted under us: this connection would use the old file.
            raise sa_exc.DisconnectionError(f"the database file {path} is no longer there")


# --- readiness ---------------------------------------------------------------------------------------

class ReadinessProbe:
    """Asks the database from a thread of its own, one question at a time, so /readyz answers within
    its bound however long the database takes to fail."""

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Lock()
        self._asking = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readyz")

    def _ask(self) -> None:
        with self.app.app_context():
            try:
                db.session.execute(select(SettingValue.key).limit(1)).all()
            finally:
                db.session.remove()

    def ready(self, within: float) -> bool:
        with self._lock:
            if self._asking is None or self._asking.done():
                self._asking = self._pool.submit(self._ask)
            asking = self._asking
        try:
            asking.result(timeout=within)
        except Exception:  # noqa: BLE001 - no answer in time, or any database error: not ready
            return False
        return True
