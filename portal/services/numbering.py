"""Document numbers like SO-2026-0001: gap-free per prefix and year, safe under concurrency.

The increment is one atomic ``UPDATE ... RETURNING`` on the sequence row, so two
transactions can never read the same value: PostgreSQL row-locks the row until commit,
SQLite takes the database write lock. The row is created with ``INSERT .. ON CONFLICT DO
NOTHING`` first, which is also race-free on both engines.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.extensions import db
from portal.models import DocumentSequence
from portal.services import clock

PREFIXES = {
    "quote": "Q",
    "sales_order": "SO",
    "invoice": "INV",
    "payment": "RCT",
    "credit_note": "CN",
    "shipment": "SH",
    "return_request": "RMA",
    "ticket": "TCK",
    "purchase_order": "PO",
    "supplier_bill": "BILL",
    "company": "C",
}


def next_number(kind: str, on: date | None = None, session=None) -> str:
    """Reserve the next number for a document kind; commits with the caller's transaction."""
    prefix = PREFIXES[kind]
    year = (on or clock.today()).year
    session = session or db.session
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(DocumentSequence).values(prefix=prefix, year=year, last_value=0).on_conflict_do_nothing()
    )
    value = session.execute(
        update(DocumentSequence)
        .where(DocumentSequence.prefix == prefix, DocumentSequence.year == year)
        .values(last_value=DocumentSequence.last_value + 1)
        .returning(DocumentSequence.last_value)
    ).scalar_one()
    return f"{prefix}-{year}-{value:04d}"


NUMBERED_MODELS: dict[str, str] = {}  # table name -> kind, filled by enable_auto_numbering()


def enable_auto_numbering() -> None:
    """Give every new numbered document its number at flush, whatever created it (admin, service)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from portal.extensions import db as _db

    for kind in PREFIXES:
        if kind in _db.metadata.tables and "number" in _db.metadata.tables[kind].c:
            NUMBERED_MODELS[kind] = kind
    if event.contains(Session, "before_flush", _assign_numbers):
        return
    event.listen(Session, "before_flush", _assign_numbers)


def _assign_numbers(session, flush_context, instances) -> None:
    for obj in list(session.new):
        table = getattr(obj, "__tablename__", None)
        if table in NUMBERED_MODELS and getattr(obj, "number", None) in (None, ""):
            if table == "quote" and getattr(obj, "status", None) == "requested":
                continue  # a quote request gets its number when staff price it
            obj.number = next_number(NUMBERED_MODELS[table], session=session)
