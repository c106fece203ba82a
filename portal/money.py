"""Money, numbers and dates as people read them, in the active locale (Babel): "€1,234.50" in English,
"€ 1.234,50" in Dutch. Pages, emails, PDFs, admin screens and service messages all format here."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from markupsafe import escape

from portal.i18n import current_locale

#: day, short month, year: "01 Dec 2026" / "01 dec 2026"
DATE_PATTERN = "dd MMM y"
DATETIME_PATTERN = "dd MMM y HH:mm"


def money(value, currency: str = "EUR") -> str:
    if value is None:
        return ""
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    return format_currency(amount, currency or "EUR", locale=current_locale(), currency_digits=False,
                           format_type="standard")


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
    return format_date(value, pattern, locale=current_locale())


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
