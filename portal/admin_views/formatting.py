"""How values look in staff lists and detail pages: money with its currency, enums as labels."""
from __future__ import annotations

from datetime import datetime
from enum import Enum

from flask_admin.model import typefmt
from sqlalchemy import Numeric, inspect

from portal.admin_views.fields import badge
from portal.services.link_masking import mask_links
from portal.web import money, status_label

#: relationships through which a line or payment finds the currency of its document
_CURRENCY_PARENTS = ("order", "invoice", "quote", "credit_note", "purchase_order", "company")


def currency_of(obj) -> str:
    """The currency a money column of obj is in: its own, its document's, or its company's."""
    own = getattr(obj, "currency", None)
    if own:
        return own
    for name in _CURRENCY_PARENTS:
        parent = getattr(obj, name, None)
        if parent is not None and getattr(parent, "currency", None):
            return parent.currency
    return "EUR"


def money_formatter(view, context, model, name):
    return money(getattr(model, name), currency_of(model))


def money_columns(model) -> list[str]:
    """Columns declared as money: Numeric(14, 2) (see portal.models.base.MONEY)."""
    return [c.key for c in inspect(model).columns
            if isinstance(c.type, Numeric) and c.type.precision == 14 and c.type.scale == 2]


def numeric_columns(model) -> dict[str, Numeric]:
    return {c.key: c.type for c in inspect(model).columns if isinstance(c.type, Numeric)}


def _datetime(view, value, name):
    return value.strftime("%Y-%m-%d %H:%M")


def _enum_label(view, value, name):
    return status_label(value)


def _enum_badge(view, value, name):
    return badge(value)


def _as_is(view, value, name):
    return value


def _masking(formatters: dict) -> dict:
    """Every value a staff screen or export shows, as text, with the tokens of its links masked.

    Flask-Admin passes each cell (a column formatter's output too) through the formatter of its type,
    so wrapping all of them, and adding one for plain strings, leaves no screen that can forget it.
    Enum comes first: a StrEnum is a str too.
    """
    def wrap(formatter):
        def masked(view, value, name):
            shown = formatter(view, value, name)
            return mask_links(shown) if isinstance(shown, str) else shown

        return masked

    return {kind: wrap(formatter) for kind, formatter in {**formatters, str: _as_is}.items()}


LIST_TYPE_FORMATTERS = _masking({Enum: _enum_badge, datetime: _datetime,
                                 **{k: v for k, v in typefmt.BASE_FORMATTERS.items() if k is not Enum}})
DETAIL_TYPE_FORMATTERS = _masking({Enum: _enum_label, datetime: _datetime,
                                   **{k: v for k, v in typefmt.DETAIL_FORMATTERS.items() if k is not Enum}})
EXPORT_TYPE_FORMATTERS = _masking({Enum: _enum_label,
                                   **{k: v for k, v in typefmt.EXPORT_FORMATTERS.items() if k is not Enum}})


def percent_formatter(view, context, model, name):
    value = getattr(model, name)
    return "" if value is None else f"{value.normalize():f} %"


def count_formatter(relation: str):
    def formatter(view, context, model, name):
        return len(getattr(model, relation) or [])

    return formatter
