"""Document totals: one place that turns priced lines into subtotal, tax and total.

Line total = quantity x unit price, less the line discount, rounded half-up to cents.
Tax is computed per tax rate over the sum of the lines at that rate and rounded once per
rate (so ten lines of 0.05 at 21% do not collect ten separate roundings).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


def to_cents(value) -> Decimal:
    """Round a money amount half-up to cents."""
    return _dec(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _dec(value) -> Decimal:
    if value is None or value == "":
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


def compute_line_total(line) -> Decimal:
    """Net amount of one line: quantity x unit price x (1 - discount%), rounded to cents."""
    gross = _dec(line.quantity) * _dec(line.unit_price)
    discount = _dec(getattr(line, "discount_percent", None))
    return to_cents(gross * (HUNDRED - discount) / HUNDRED)


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal


def sums(lines: Iterable) -> Totals:
    """Subtotal, tax and total of lines whose line_total is set."""
    subtotal = ZERO
    net_by_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        subtotal += _dec(line.line_total)
        net_by_rate[_dec(getattr(line, "tax_rate", None))] += _dec(line.line_total)
    tax_total = sum((to_cents(net * rate / HUNDRED) for rate, net in net_by_rate.items()), ZERO)
    return Totals(to_cents(subtotal), to_cents(tax_total), to_cents(subtotal) + to_cents(tax_total))


def recompute_totals(document, lines: Iterable | None = None) -> object:
    """Store line_total on every line and subtotal/tax_total/total on the document.

    `lines` defaults to ``document.lines``; pass the surviving lines when some are being
    deleted in the same transaction. Optional lines (a quote's, ``line.optional``) get their line
    total but stay out of the document's: the client adds them by ticking them.
    """
    lines = list(document.lines if lines is None else lines)
    for line in lines:
        line.line_total = compute_line_total(line)
    totals = sums(line for line in lines if not getattr(line, "optional", False))
    document.subtotal, document.tax_total, document.total = totals.subtotal, totals.tax_total, totals.total
    return document


@dataclass(frozen=True)
class TaxRow:
    rate: Decimal
    net: Decimal
    tax: Decimal


def tax_by_rate(lines: Iterable) -> list[TaxRow]:
    """The tax of stored lines per rate (as `sums` computes it), lowest rate first: a document's tax table."""
    net_by_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if not getattr(line, "optional", False):
            net_by_rate[_dec(getattr(line, "tax_rate", None))] += _dec(line.line_total)
    return [TaxRow(rate, to_cents(net), to_cents(net * rate / HUNDRED)) for rate, net in sorted(net_by_rate.items())]
