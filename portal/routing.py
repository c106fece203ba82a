"""Numbers in URLs and forms: only plain digits that fit the database's integer columns.

A larger number would overflow SQLite (above 2**63-1) or PostgreSQL's INTEGER (above 2**31-1), a server
error; it cannot name a row, so it is a 404 like any other id that does not exist. `parse_id` is the same rule for ids read from query strings and forms.
"""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

#: the largest id a row can have: the id columns are INTEGER, signed 32-bit on PostgreSQL
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that does not match a number above MAX_ID (unless a route sets its own smaller max)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        capped = MAX_ID if max is None or max > MAX_ID else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=capped, signed=signed)


def parse_id(value) -> int | None:
    """A row id from a query string or form: ASCII digits only, 1..MAX_ID; None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= MAX_ID else None
    text = str(value or "")
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def init_app(app: Flask) -> None:
    """Install before any route is added: rules pick their converter when they are registered."""
    app.url_map.converters["int"] = BoundedIntConverter
