"""One clock (portal.services.clock): every "overdue" and "expired" decision moves when a test moves it."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from portal.models import Invoice, InvoiceLine
from portal.services import clock


def test_frozen_time_is_utc_and_comes_back():
    real = clock.now()
    with clock.frozen(date(2026, 12, 31)) as moment:
        assert moment == datetime(2026, 12, 31, 12, tzinfo=UTC)
        assert (clock.now(), clock.today()) == (moment, date(2026, 12, 31))
        with clock.frozen(datetime(2027, 1, 1, 0, 30)):
            assert clock.now().tzinfo is not None and clock.today() == date(2027, 1, 1)
        assert clock.today() == date(2026, 12, 31)
    assert clock.now() - real < timedelta(minutes=1)


def test_new_documents_are_dated_by_the_clock(db, make):
    company = make.company()
    with clock.frozen(date(2026, 2, 27)):
        invoice = Invoice(number="INV-T-1", company_id=company.id)
        invoice.lines.append(InvoiceLine(description="x"))
        db.session.add(invoice)
        db.session.commit()
        assert (invoice.issue_date, invoice.due_date) == (date(2026, 2, 27), date(2026, 2, 27))
        assert invoice.created_dt.date() == date(2026, 2, 27)


def test_overdue_in_the_back_office_follows_the_clock(admin, db, make):
    make.invoice(make.company(), due_in_days=2)

    def overdue() -> tuple[str, int, bool]:
        home = admin.get("/admin/")
        figure = home.html.select_one('[data-figure="overdue_invoices"]')
        listing = admin.get(figure["href"])
        rows = listing.html.select("table.model-list td.col-number")
        badge = "overdue" in admin.get("/admin/invoice/").html.select_one("td.col-balance_due").text
        return figure.select_one(".count").text, len(rows), badge

    assert overdue() == ("0", 0, False)
    with clock.frozen(clock.today() + timedelta(days=3)):
        assert overdue() == ("1", 1, True)


@pytest.fixture
def quote_client(testapp, make, login):
    company = make.company()
    login(testapp, make.contact(company, role="Buyer"))
    return testapp, make.quote(company, valid_until=clock.today() + timedelta(days=1))


def test_quote_expiry_follows_the_clock(quote_client):
    client, quote = quote_client

    def expired() -> tuple[bool, bool]:
        listing = BeautifulSoup(client.get("/quotes/").text, "html.parser").select_one("tbody").get_text()
        return "Expired" in listing, "no longer valid" in client.get(f"/quotes/{quote.id}").text

    assert expired() == (False, False)
    with clock.frozen(clock.today() + timedelta(days=1)):
        assert expired() == (False, False)  # its last valid day
    with clock.frozen(clock.today() + timedelta(days=2)):
        assert expired() == (True, True)
