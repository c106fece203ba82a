"""Turn database constraint errors into a sentence staff can act on (no SQL in the page)."""
from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<cols>[\w., ]+)")
_SQLITE_NOT_NULL = re.compile(r"NOT NULL constraint failed: \w+\.(?P<col>\w+)")
_PG_KEY = re.compile(r"Key \((?P<cols>[^)]*)\)=")
_PG_NOT_NULL = re.compile(r'null value in column "(?P<col>\w+)"')


def _label(column: str) -> str:
    column = column.strip()
    column = column.removesuffix("_id")
    return {"sku": "SKU", "email": "email address", "code": "code"}.get(column, column.replace("_", " "))


def _join(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def integrity_message(exc: IntegrityError, thing: str = "record") -> str:
    """A clear message for a unique, not-null or foreign-key violation."""
    text = str(getattr(exc, "orig", exc))
    match = _SQLITE_UNIQUE.search(text) or (_PG_KEY.search(text) if "unique" in text.lower() else None)
    if match:
        cols = [c.split(".")[-1] for c in match.group("cols").split(",")]
        return (f"Not saved: another {thing} already has this {_join([_label(c) for c in cols])}. "
                "Use a different value or edit the existing one.")
    match = _SQLITE_NOT_NULL.search(text) or _PG_NOT_NULL.search(text)
    if match:
        return f"Not saved: {_label(match.group('col')).capitalize()} is required."
    if "foreign key" in text.lower():
        return (f"Not saved: this {thing} is still referred to by other records (or refers to one that "
                "no longer exists). Remove or change those first.")
    return f"Not saved: the change conflicts with other data ({type(getattr(exc, 'orig', exc)).__name__})."
