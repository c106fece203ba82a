"""Plain rows read in the request's transaction, past the ORM's execution layer.

``db.session.execute`` runs every statement through the ORM (its execution context, its result
wrapping), even one that selects only columns; for a statement a page runs on every request that
costs more than the database does. ``rows`` runs such a statement on the session's own connection:
same transaction and snapshot, same column types, plain rows. Not for statements selecting ORM
entities, nor for writes the session should know about.
"""
from __future__ import annotations

from sqlalchemy import CursorResult, Executable

from portal.extensions import db


def rows(statement: Executable, params: dict | None = None) -> CursorResult:
    return db.session.connection().execute(statement, params or {})
