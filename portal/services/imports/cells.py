"""Cells of an import file: how each type of column is read from text and written back.

Every reader takes the cell as text (the file reader already turned Excel numbers and dates into text)
and returns a value, or raises ValueError with the end of a sentence ("is not a number"). Every writer
is the inverse, so an export read back gives the same values: the round trip changes nothing.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

TRUE = frozenset({"yes", "y", "true", "1", "x", "on", "ja", "oui"})
FALSE = frozenset({"no", "n", "false", "0", "off", "nee", "non"})
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")
_LIST_SPLIT = re.compile(r"[\s,;|]+")


@dataclass(frozen=True)
class Cell:
    """One type of column: `read` text into a value (ValueError: why not), `write` a value as text."""

    read: Callable[[str], Any]
    write: Callable[[Any], str]
    #: the value of an empty cell
    empty: Any = None


def _no_controls(text: str, lines: bool = False) -> str:
    allowed = "\n\r\t" if lines else ""
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in text):
        raise ValueError("contains a control character (such as a tab or a line break)" if not lines
                         else "contains a control character")
    return text


def text(max_length: int, *, lines: bool = False, lower: bool = False, default: str | None = None) -> Cell:
    def read(raw: str) -> str:
        value = _no_controls(raw.strip(), lines)
        if len(value) > max_length:
            raise ValueError(f"is longer than {max_length} characters")
        return value.lower() if lower else value
    return Cell(read, lambda v: "" if v is None else str(v), default)


def email() -> Cell:
    base = text(254, lower=True)

    def read(raw: str) -> str:
        value = base.read(raw)
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError(f"“{value}” is not an email address")
        return value
    return Cell(read, base.write)


def number_text(raw: str) -> str:
    """A typed number in plain form: spaces gone, "1.234,5" and "1,234.5" both "1234.5", "12,5" "12.5"."""
    value = raw.strip().replace(" ", "").replace("\u00a0", "")
    if "," in value and "." in value:
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        value = value.replace(thousands, "").replace(decimal_mark, ".")
    elif value.count(",") == 1:
        value = value.replace(",", ".")
    return value


def decimal(places: int, minimum: Decimal | None = Decimal(0), maximum: Decimal | None = Decimal(999_999_999),
            default: Decimal | None = None) -> Cell:
    def read(raw: str) -> Decimal:
        try:
            value = Decimal(number_text(raw))
        except InvalidOperation:
            raise ValueError(f"“{raw.strip()}” is not a number") from None
        if not value.is_finite():
            raise ValueError(f"“{raw.strip()}” is not a number")
        if value != value.quantize(Decimal(1).scaleb(-places)):
            raise ValueError(f"has more than {places} decimals")
        if minimum is not None and value < minimum:
            raise ValueError(f"must be {minimum} or more")
        if maximum is not None and value > maximum:
            raise ValueError(f"must be {maximum} or less")
        return value.quantize(Decimal(1).scaleb(-places))

    def write(value) -> str:
        if value is None:
            return ""
        normal = Decimal(value).normalize()
        return f"{normal:f}" if normal != normal.to_integral_value() else f"{normal.to_integral_value():f}"
    return Cell(read, write, default)


def integer(minimum: int = 0, maximum: int = 10**6, default: int | None = None) -> Cell:
    def read(raw: str) -> int:
        value = number_text(raw)
        value = value.removesuffix(".0")
        if not re.fullmatch(r"-?\d{1,9}", value):
            raise ValueError(f"“{raw.strip()}” is not a whole number")
        number = int(value)
        if not minimum <= number <= maximum:
            raise ValueError(f"must be between {minimum} and {maximum}")
        return number
    return Cell(read, lambda v: "" if v is None else str(v), default)


def boolean(default: bool = False) -> Cell:
    def read(raw: str) -> bool:
        value = raw.strip().lower()
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        raise ValueError(f"“{raw.strip()}” is not yes or no")
    return Cell(read, lambda v: "yes" if v else "no", default)


def day() -> Cell:
    def read(raw: str) -> date:
        value = raw.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]00:00(:00)?", value):  # an Excel date read as a date-time
            value = value[:10]
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        raise ValueError(f"“{value}” is not a date (use YYYY-MM-DD)")
    return Cell(read, lambda v: "" if v is None else v.isoformat())


def choice(options: Iterable[str], default: str | None = None) -> Cell:
    allowed = tuple(options)

    def read(raw: str) -> str:
        value = raw.strip().lower()
        if value not in allowed:
            raise ValueError(f"“{raw.strip()}” is not one of {', '.join(allowed)}")
        return value
    return Cell(read, lambda v: "" if v is None else str(getattr(v, "value", v)), default)


def code_list(max_length: int = 254, lower: bool = False) -> Cell:
    """Several codes or emails in one cell, separated by commas, semicolons or spaces (order does not matter)."""
    def read(raw: str) -> frozenset[str]:
        items = [_no_controls(i) for i in _LIST_SPLIT.split(raw.strip()) if i]
        if any(len(i) > max_length for i in items):
            raise ValueError(f"holds an item longer than {max_length} characters")
        return frozenset(i.lower() for i in items) if lower else frozenset(items)
    return Cell(read, lambda v: ", ".join(sorted(v or ())), frozenset())


def currency() -> Cell:
    def read(raw: str) -> str:
        value = raw.strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError(f"“{raw.strip()}” is not a 3-letter currency code like EUR")
        return value
    return Cell(read, lambda v: v or "", "EUR")
