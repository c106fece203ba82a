"""Plain rows read in the request's transaction, past the ORM's execution layer.

``db.session.execute`` runs every statement through the ORM (its execution context, its result
wrapping), even one that selects only columns; for a statement a page runs on every request that
costs more than the database does. ``rows`` runs such a statement on the session's own connection:
same transaction and snapshot, same column types, plain rows. Not for statements selecting ORM
entities, nor for writes the session should know about.
"""
from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import (
    CursorResult,
    Executable,
    Integer,
    String,
    any_,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY

from portal.extensions import db


def rows(statement: Executable, params: dict | None = None) -> CursorResult:
    return db.session.connection().execute(statement, params or {})


def dialect() -> str:
    """The engine of the session's database ("sqlite", "postgresql")."""
    return db.session.get_bind().dialect.name


def in_ids(column, name: str, engine: str, item_type=Integer):
    """``column IN`` the ids (or texts: `item_type` String) bound as the one parameter `name` (its value:
    ``list_value``). An expanding ``IN`` is written out anew on every execution, for
    every list of values; one parameter is not: SQLite reads it as a JSON array (``json_each``),
    PostgreSQL as an array (``= ANY``)."""
    if engine == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(item_type)))
    return column.in_(select(literal_column("value")).select_from(func.json_each(bindparam(name, type_=String))))


def list_value(values: Iterable, engine: str) -> list | str:
    """The value of an ``in_ids`` parameter: the ids or texts as a list (PostgreSQL) or a JSON array (SQLite)."""
    values = list(values)
    return values if engine == "postgresql" else json.dumps(values)
