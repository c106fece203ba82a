"""Document numbers like SO-2026-0001: gap-free per prefix and year, safe under concurrency.

Which kinds exist, with which prefix, is declared by the core and the features (Feature.numbers).

The increment is one atomic ``UPDATE ... RETURNING`` on the sequence row, so two
transactions can never read the same value: PostgreSQL row-locks the row until commit,
SQLite takes the database write lock. The row is created with ``INSERT .. ON CONFLICT DO
NOTHING`` first, which is also race-free on both engines.
"""
from __future__ import annotations

from datetime import date

from flask import has_app_context
from sqlalchemy import event, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portal.contract import NumberKind
from portal.extensions import db
from portal.features import registry
from portal.models import DocumentSequence
from portal.services import clock


def kinds() -> dict[str, NumberKind]:
    """Every numbered document kind the core and the features declare (key: the table name)."""
    return registry().number_kinds()


def prefixes() -> dict[str, str]:
    return {kind: spec.prefix for kind, spec in kinds().items()}


def next_number(kind: str, on: date | None = None, session=None) -> str:
    """Reserve the next number for a document kind; commits with the caller's transaction."""
    spec = kinds()[kind]
    year = (on or clock.today()).year if spec.yearly else 0
    session = session or db.session
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(DocumentSequence).values(prefix=spec.prefix, year=year, last_value=0).on_conflict_do_nothing()
    )
    value = session.execute(
        update(DocumentSequence)
        .where(DocumentSequence.prefix == spec.prefix, DocumentSequence.year == year)
        .values(last_value=DocumentSequence.last_value + 1)
        .returning(DocumentSequence.last_value)
    ).scalar_one()
    return f"{spec.prefix}-{year}-{value:04d}" if spec.yearly else f"{spec.prefix}-{value:04d}"


def enable_auto_numbering() -> None:
    """Give every new numbered document its number at flush, whatever created it (admin, service)."""
    if not event.contains(Session, "before_flush", _assign_numbers):
        event.listen(Session, "before_flush", _assign_numbers)


def _assign_numbers(session, flush_context, instances) -> None:
    if not has_app_context():
        return
    declared = kinds()
    for obj in list(session.new):
        table = getattr(obj, "__tablename__", None)
        if table in declared and getattr(obj, "number", False) in (None, ""):
            if table == "quote" and getattr(obj, "status", None) == "requested":
                continue  # a quote request gets its number when staff price it
            obj.number = next_number(table, session=session)
