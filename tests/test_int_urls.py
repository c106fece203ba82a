"""Issue 7 item 9: a number too large for the database in any <int:...> URL is a 404, never a 500
(above 2**31-1 PostgreSQL's INTEGER overflows, above 2**63-1 SQLite's)."""
from __future__ import annotations

import pytest
from flask import url_for
from werkzeug.routing import IntegerConverter

from portal.routing import MAX_ID, parse_id

HUGE = 10**30


def _int_rules(app):
    """Every route (portal and back office) with an <int:...> argument."""
    return [rule for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
            if any(isinstance(conv, IntegerConverter) for conv in rule._converters.values())]


def _url(app, rule, number):
    values = {name: (number if isinstance(conv, IntegerConverter) else "x") for name, conv in rule._converters.items()}
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def test_every_int_route_is_bounded(app):
    rules = _int_rules(app)
    assert len(rules) > 10, "the app has routes with <int:...> arguments"
    for rule in rules:
        for conv in rule._converters.values():
            if isinstance(conv, IntegerConverter):
                assert conv.max is not None and conv.max <= MAX_ID, rule.rule


@pytest.mark.parametrize("who", ["anonymous", "contact", "staff"])
def test_huge_integer_in_any_int_url_is_404(app, testapp, make, login, who):
    company = make.company()
    if who == "contact":
        login(testapp, make.contact(company, role="Admin"))
    elif who == "staff":
        login(testapp, make.staff())
    for rule in _int_rules(app):
        for number in (MAX_ID + 1, HUGE):
            url = _url(app, rule, number)
            for method in sorted(rule.methods & {"GET", "POST"}):
                res = testapp.request(url, method=method, expect_errors=True)
                assert res.status_int == 404, f"{who} {method} {url}: {res.status_int}"


def test_largest_id_is_a_plain_not_found(app, testapp, make, login):
    login(testapp, make.contact(make.company(), role="Admin"))
    for rule in [r for r in _int_rules(app) if "GET" in r.methods]:
        url = _url(app, rule, MAX_ID)
        res = testapp.get(url, expect_errors=True)
        assert res.status_int < 500, url


@pytest.mark.parametrize("raw", ["", "abc", "1,2", "-1", "1.5", "²", "٣", " 1", "1 ", "0x10", str(MAX_ID + 1), "9" * 40])
def test_parse_id_refuses_anything_but_a_plain_number_in_range(raw):
    assert parse_id(raw) is None


def test_parse_id_reads_plain_numbers():
    assert parse_id("42") == 42
    assert parse_id(str(MAX_ID)) == MAX_ID
    assert parse_id(7) == 7
