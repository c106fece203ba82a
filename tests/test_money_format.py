"""Amounts are written exactly as Babel writes them, in every language the portal speaks, though the
layout is learnt once per locale and currency instead of asking Babel for every amount."""
from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency
from flask_babel import force_locale
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.i18n import LANGUAGE_CODES
from portal.money import money

CURRENCIES = ("EUR", "USD", "GBP", "JPY", "CHF")
amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False,
                      allow_infinity=False, places=4)


def babel(value, currency, locale):
    return format_currency(Decimal(str(value)).quantize(Decimal("0.01")), currency, locale=locale,
                           currency_digits=False, format_type="standard")


@pytest.mark.parametrize("locale", sorted(LANGUAGE_CODES))
@settings(max_examples=300, deadline=None)
@given(value=amounts, currency=st.sampled_from(CURRENCIES))
def test_money_reads_as_babel_writes_it(app, locale, value, currency):
    with app.test_request_context(), force_locale(locale):
        assert money(value, currency) == babel(value, currency, locale)


def test_money_in_each_language(app):
    with app.test_request_context():
        with force_locale("en"):
            assert money(Decimal("1234.5")) == "€1,234.50"
            assert money(Decimal("-0.001"), "USD") == "-$0.00"
        with force_locale("nl"):
            assert money(Decimal("1234.5")) == "€\xa01.234,50"
            assert money(-1234567, "EUR") == "€\xa0-1.234.567,00"


def test_a_locale_grouping_otherwise_is_left_to_babel(app):
    # Indian English groups by two after the thousands: the learnt layout would write it wrong
    with app.test_request_context(), force_locale("en_IN"):
        assert money(Decimal("12345678.9"), "EUR") == babel("12345678.9", "EUR", "en_IN") == "€1,23,45,678.90"
