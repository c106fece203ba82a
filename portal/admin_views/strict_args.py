"""Back-office URLs are read strictly: a malformed list, filter or record parameter is a 400 or 404.

Flask-Admin ignores some bad values (a page of "abc"), flashes others, and lets the rest reach the
database or its own code (an unknown enum value raises KeyError; a number too large overflows SQLite;
"?id=1,2" is taken for a composite key; "?id=abc" is a PostgreSQL error): server errors all. Here every
list argument is checked before Flask-Admin reads it, and a record id (edit, details, the rows of a list
action) is a plain number in range.
"""
from __future__ import annotations

import math
from decimal import Decimal

from flask import abort, request
from flask_admin import expose
from sqlalchemy import inspect

from portal.extensions import db
from portal.routing import MAX_ID, parse_id

#: paging and sorting arguments: small non-negative numbers
LIST_NUMBERS = ("page", "page_size", "sort", "desc")
#: the highest page number asked for (page × page size must stay far inside a 64-bit offset)
MAX_PAGE = 10**9
#: what a filter's clean() may raise for a value it cannot use
CLEAN_ERRORS = (KeyError, ValueError, TypeError, ArithmeticError, LookupError)


def list_number(raw: str) -> int | None:
    """A page, page size, sort column or direction: ASCII digits up to MAX_PAGE, else None."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_PAGE)):
        return None
    number = int(raw)
    return number if number <= MAX_PAGE else None


def fits_database(value) -> bool:
    """A cleaned filter value the database can compare with (no overflowing or infinite numbers)."""
    if isinstance(value, list | tuple | set):
        return all(fits_database(v) for v in value)
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -MAX_ID <= value <= MAX_ID
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite() and abs(value) < Decimal(10) ** 15
    return True


class StrictRequestArgs:
    """Mixed into the base model view, before Flask-Admin's ModelView."""

    def _get_list_extra_args(self):
        for name in LIST_NUMBERS:
            for raw in request.args.getlist(name):
                number = list_number(raw)
                if number is None or not self._list_number_allowed(name, number):
                    abort(400, description=f"The {name.replace('_', ' ')} in this address is not valid.")
        return super()._get_list_extra_args()

    def _list_number_allowed(self, name: str, number: int) -> bool:
        """A sort column the list has, a direction of 0 or 1, a page size the list offers."""
        if name == "sort":
            return number < len(self._list_columns)
        if name == "desc":
            return number in (0, 1)
        if name == "page_size":
            return number in self.page_size_options
        return True

    def _get_list_filter_args(self):
        for arg, value in request.args.items(multi=True):
            if arg.startswith("flt"):
                self._check_filter(arg, value)
        return super()._get_list_filter_args()

    def _check_filter(self, arg: str, value: str) -> None:
        position, _, key = arg[3:].partition("_")
        entry = (self._filter_args or {}).get(key)
        if not position.isascii() or not position.isdigit() or entry is None:
            abort(400, description="This list has no such filter.")
        flt = entry[1]
        try:
            usable = flt.validate(value) and fits_database(flt.clean(value))
        except CLEAN_ERRORS:
            usable = False
        if not usable:
            abort(400, description=f"“{value}” is not a value the {flt.name} filter can use.")

    def handle_action(self, return_view=None):
        """A list action's ticked rows: each a plain id (the same rule as the edit and details pages)."""
        if self._int_key() and any(parse_id(raw) is None for raw in request.form.getlist("rowid")):
            abort(400, description="The selected rows in this request are not valid.")
        return super().handle_action(return_view)

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        self._check_record_arg()
        return super().edit_view()

    @expose("/details/")
    def details_view(self):
        self._check_record_arg()
        return super().details_view()

    def _check_record_arg(self) -> None:
        """An edit or details address names one record by a plain id (no id at all goes to the list)."""
        ids = request.args.getlist("id")
        if ids and (len(ids) > 1 or self._int_key() and parse_id(ids[0]) is None):
            abort(404)

    def _int_key(self) -> bool:
        keys = inspect(self.model).primary_key
        return len(keys) == 1 and keys[0].type.python_type is int

    def get_one(self, id):
        """The record of a well-formed id (None when there is none); a malformed id is a 404."""
        if not self._int_key():
            return super().get_one(id)
        number = parse_id(id)
        if number is None:
            abort(404)
        return db.session.get(self.model, number)
