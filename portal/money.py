"""Money, numbers and dates as people read them, in the active locale (Babel): "€1,234.50" in English,
"€ 1.234,50" in Dutch. Pages, emails, PDFs, admin screens and service messages all format here."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from markupsafe import escape

from portal.i18n import current_locale

#: day, short month, year: "01 Dec 2026" / "01 dec 2026"
DATE_PATTERN = "dd MMM y"
DATETIME_PATTERN = "dd MMM y HH:mm"


_CENTS = Decimal("0.01")


def money(value, currency: str = "EUR") -> str:
    return _money(value, currency, current_locale())


def money_writer() -> Callable[..., str]:
    """``money`` bound to the active locale, for a page that writes many amounts."""
    locale = current_locale()
    return lambda value, currency="EUR": _money(value, currency, locale)


def _money(value, currency: str, locale: str) -> str:
    if value is None:
        return ""
    amount = (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(_CENTS)
    currency = currency or "EUR"
    layout = _layouts.get((locale, currency), _UNKNOWN)
    if layout is _UNKNOWN:
        layout = _layouts[(locale, currency)] = _layout_of(locale, currency)
    if layout is None:
        return _babel_money(amount, currency, locale)
    return layout.write(amount)


def _babel_money(amount: Decimal, currency: str, locale: str) -> str:
    return format_currency(amount, currency, locale=locale, currency_digits=False, format_type="standard")


class _MoneyLayout(NamedTuple):
    """Where a locale puts the currency, the sign and its separators around an amount: Babel's
    formatting, learnt once per locale and currency (asking Babel costs ~0.1 ms an amount, and a
    catalog page shows up to three amounts a card)."""

    prefix: str
    suffix: str
    negative_prefix: str
    negative_suffix: str
    symbols: dict[int, str]

    def write(self, amount: Decimal) -> str:
        digits = f"{abs(amount):,.2f}".translate(self.symbols)
        if amount.is_signed():  # as Babel: "-0.00" keeps its sign
            return f"{self.negative_prefix}{digits}{self.negative_suffix}"
        return f"{self.prefix}{digits}{self.suffix}"


_UNKNOWN = object()
#: (locale, currency) -> its layout; None where Babel's own output differs from it (always ask Babel)
_layouts: dict[tuple[str, str], _MoneyLayout | None] = {}
_PROBE = re.compile(r"1(\D+)111(\D+)111(\D+)11")
#: amounts the learnt layout must write exactly as Babel does before it is used
_CHECKS = tuple(Decimal(a) for a in ("0.00", "-0.00", "0.01", "0.50", "1.00", "9.99", "12.30", "999.99", "1000.00",
                                      "1234.56", "99999.99", "123456.78", "1234567.89", "987654321.00", "-0.01",
                                      "-1.00", "-1234.56", "-1234567.89"))


def _layout_of(locale: str, currency: str) -> _MoneyLayout | None:
    probe = Decimal("1111111.11")
    positive, negative = _babel_money(probe, currency, locale), _babel_money(-probe, currency, locale)
    found, found_negative = _PROBE.search(positive), _PROBE.search(negative)
    if not found or not found_negative or found[1] != found[2]:
        return None
    layout = _MoneyLayout(positive[:found.start()], positive[found.end():], negative[:found_negative.start()],
                          negative[found_negative.end():], str.maketrans({",": found[1], ".": found[3]}))
    if any(layout.write(a) != _babel_money(a, currency, locale) for a in _CHECKS):
        return None
    return layout


def number(value, digits: int | None = None) -> str:
    """A number with the locale's separators ("1,234.5" / "1.234,5"); `digits` fixes the decimals."""
    if value is None:
        return ""
    amount = Decimal(str(value))
    if digits is not None:
        amount = amount.quantize(Decimal(1).scaleb(-digits))
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(amount, format=pattern, locale=current_locale())
    return format_decimal(amount, locale=current_locale())


def day(value, pattern: str = DATE_PATTERN) -> str:
    """A date (or a datetime's date) as "01 Dec 2026" (a Babel pattern: "d MMM y" for "1 Dec 2026")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return _day(value, pattern, current_locale())


@lru_cache(maxsize=4096)
def _day(value: date, pattern: str, locale: str) -> str:
    """Babel's wording of a date (about 0.1 ms each; a page shows the same few dates many times)."""
    return format_date(value, pattern, locale=locale)


def moment(value) -> str:
    """A date and time (UTC) as "01 Dec 2026 14:05"."""
    if value is None:
        return ""
    if not isinstance(value, datetime) and isinstance(value, date):
        return day(value)
    return format_datetime(value, DATETIME_PATTERN, tzinfo=UTC, locale=current_locale())


class Shown:
    """A value worded when it is written into a page or an email, in that one's language: an email's
    context is gathered once and rendered for each recipient in their own locale (portal.i18n.in_language_of),
    so "€1,234.50" for one reads "€ 1.234,50" for the next."""

    __slots__ = ("_args", "_show")

    def __init__(self, show, *args):
        self._show, self._args = show, args

    def __str__(self) -> str:
        return str(self._show(*self._args))

    def __html__(self) -> str:
        return str(escape(str(self)))

    def __bool__(self) -> bool:
        return bool(str(self))

    def __eq__(self, other) -> bool:
        return str(self) == (str(other) if isinstance(other, Shown) else other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return f"Shown({str(self)!r})"


def money_shown(value, currency: str = "EUR") -> Shown:
    """money(value, currency) in the language it is shown in."""
    return Shown(money, value, currency)


def day_shown(value) -> Shown:
    """day(value) in the language it is shown in."""
    return Shown(day, value)
