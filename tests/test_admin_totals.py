"""The totals service: line totals and document totals in Decimal, rounded half-up to cents."""
from decimal import Decimal

import pytest

from portal.models import Invoice, InvoiceLine, SalesOrder, SalesOrderLine
from portal.services.totals import compute_line_total, recompute_totals, to_cents


def line(qty, price, discount="0", tax="21", cls=SalesOrderLine):
    return cls(description="x", quantity=Decimal(qty), unit_price=Decimal(price),
               discount_percent=Decimal(discount), tax_rate=Decimal(tax))


@pytest.mark.parametrize(("qty", "price", "discount", "expected"), [
    ("3", "19.99", "0", "59.97"),
    ("1", "0.005", "0", "0.01"),           # half-up, not banker's rounding (which gives 0.00)
    ("1", "0.015", "0", "0.02"),
    ("2.5", "10.00", "0", "25.00"),        # fractional quantities (kg, m)
    ("3", "10.00", "12.5", "26.25"),       # line discount
    ("1", "9.99", "100", "0.00"),
    ("0", "10.00", "0", "0.00"),
])
def test_line_total(qty, price, discount, expected):
    assert compute_line_total(line(qty, price, discount)) == Decimal(expected)


def test_line_total_treats_missing_values_as_zero():
    blank = SalesOrderLine(description="x", quantity=None, unit_price=Decimal(5))
    assert compute_line_total(blank) == Decimal("0.00")


def test_recompute_totals_stores_line_totals_and_document_totals():
    order = SalesOrder(currency="EUR")
    order.lines = [line("2", "10.00"), line("1", "5.50", discount="10")]
    recompute_totals(order)
    assert [ln.line_total for ln in order.lines] == [Decimal("20.00"), Decimal("4.95")]
    assert order.subtotal == Decimal("24.95")
    assert order.tax_total == Decimal("5.24")  # 24.95 * 21% = 5.2395
    assert order.total == Decimal("30.19")


def test_tax_is_rounded_once_per_rate_not_per_line():
    invoice = Invoice(currency="EUR")
    invoice.lines = [line("1", "0.10", tax="21", cls=InvoiceLine) for _ in range(10)]
    recompute_totals(invoice)
    # per line 0.021 -> 0.02 each would give 0.20; over the rate group 1.00 * 21% = 0.21
    assert invoice.subtotal == Decimal("1.00")
    assert invoice.tax_total == Decimal("0.21")
    assert invoice.total == Decimal("1.21")


def test_mixed_tax_rates():
    order = SalesOrder(currency="EUR")
    order.lines = [line("1", "100.00", tax="21"), line("1", "100.00", tax="9"), line("1", "50.00", tax="0")]
    recompute_totals(order)
    assert order.subtotal == Decimal("250.00")
    assert order.tax_total == Decimal("30.00")
    assert order.total == Decimal("280.00")


def test_explicit_lines_leave_out_deleted_ones():
    order = SalesOrder(currency="EUR")
    keep, drop = line("1", "10.00"), line("1", "90.00")
    order.lines = [keep, drop]
    recompute_totals(order, lines=[keep])
    assert order.subtotal == Decimal("10.00")
    assert order.total == Decimal("12.10")


def test_empty_document_is_zero():
    order = SalesOrder(currency="EUR")
    recompute_totals(order)
    assert (order.subtotal, order.tax_total, order.total) == (Decimal("0.00"),) * 3


def test_to_cents_rounds_half_up():
    assert to_cents("2.675") == Decimal("2.68")
    assert to_cents(Decimal("-2.675")) == Decimal("-2.68")
