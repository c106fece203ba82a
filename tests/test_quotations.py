"""Quotations feature: quotes sent to the company, their sections, totals, validity and conversation."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from portal import settings
from portal.blueprints.quotations import services
from portal.models import Quote, QuoteStatus


def first_column(res) -> list[str]:
    table = BeautifulSoup(res.text, "html.parser").select_one("main table tbody")
    return [row.select_one("td").get_text(strip=True) for row in table.select("tr")] if table else []


@pytest.fixture
def signed_in_a(testapp, make, login):
    a, b = make.company(name="Alpha Trading"), make.company(name="Beta Builders")
    user = make.contact(a, role="Buyer", name="Ann Alpha")
    login(testapp, user)
    return testapp, a, b


TODAY = date(2026, 3, 10)


# --- services ------------------------------------------------------------------------------------

@pytest.mark.parametrize("status, valid_until, expired", [
    (QuoteStatus.sent, TODAY - timedelta(days=1), True),
    (QuoteStatus.sent, TODAY, False),
    (QuoteStatus.sent, None, False),
    (QuoteStatus.changes_requested, TODAY - timedelta(days=1), True),
    (QuoteStatus.accepted, TODAY - timedelta(days=30), False),
    (QuoteStatus.declined, TODAY - timedelta(days=30), False),
    (QuoteStatus.expired, TODAY + timedelta(days=30), True),
])
def test_a_quote_expires_after_its_last_valid_day_unless_answered(status, valid_until, expired):
    assert services.is_expired(Quote(status=status, valid_until=valid_until), TODAY) is expired


def test_lines_are_grouped_under_their_sections_in_order(db, make):
    quote = make.quote(make.company())  # comes with one line outside any section: "Service"
    make.quote_section(quote, "Installation", [("Mounting", "200.00"), ("Cabling", "80.00")], position=2)
    make.quote_section(quote, "Hardware", [("Rack", "900.00")], position=1)
    make.quote_section(quote, "Empty section", [], position=3)
    db.session.expire_all()
    sections = services.sections_with_lines(db.session.get(Quote, quote.id))
    assert [(s.title, [line.description for line in s.lines]) for s in sections] == [
        (None, ["Service"]), ("Hardware", ["Rack"]), ("Installation", ["Mounting", "Cabling"])]


def test_conversation_names_the_authors(db, make):
    company = make.company()
    quote = make.quote(company)
    contact = make.contact(company, name="Ann Alpha")
    staff = make.staff(name="Sam Sales")
    make.quote_message(quote, "Can you do 10% off?", author=contact, created_dt=datetime(2026, 3, 1, tzinfo=UTC))
    make.quote_message(quote, "We can do 5%.", author=staff, from_staff=True,
                       created_dt=datetime(2026, 3, 2, tzinfo=UTC))
    make.quote_message(quote, "Deal if delivered in May.", author_name="Visitor Vic",
                       created_dt=datetime(2026, 3, 3, tzinfo=UTC))
    db.session.expire_all()
    messages = services.conversation(db.session.get(Quote, quote.id), "Acme Supplies")
    assert [(m.author, m.from_staff, m.body) for m in messages] == [
        ("Ann Alpha", False, "Can you do 10% off?"),
        ("Sam Sales (Acme Supplies)", True, "We can do 5%."),
        ("Visitor Vic", False, "Deal if delivered in May."),
    ]


# --- pages ---------------------------------------------------------------------------------------

def test_contact_sees_own_quotes_but_not_drafts_or_another_companys(signed_in_a, make):
    client, a, b = signed_in_a
    sent = make.quote(a, title="Spring restock")
    accepted = make.quote(a, status=QuoteStatus.accepted, title="Winter tyres")
    draft = make.quote(a, status=QuoteStatus.draft, title="Secret draft")
    theirs = make.quote(b, title="Beta only")

    res = client.get("/quotes/")
    assert first_column(res) == [accepted.number, sent.number]
    assert "Spring restock" in res.text and "€100.00" in res.text
    for hidden in (draft, theirs):
        assert hidden.number not in res.text and hidden.title not in res.text
    page = BeautifulSoup(client.get(f"/quotes/{sent.id}").text, "html.parser")
    assert page.title.get_text().startswith(f"Quote {sent.number}")
    assert page.h1.get_text(" ", strip=True).startswith(f"Quote {sent.number} — Spring restock")
    assert client.get(f"/quotes/{draft.id}", expect_errors=True).status_int == 404
    assert client.get(f"/quotes/{theirs.id}", expect_errors=True).status_int == 404


def test_detail_shows_sections_lines_and_totals(signed_in_a, make, db):
    client, a, _ = signed_in_a
    quote = make.quote(a, title="Server room", introduction="Thank you for your enquiry.",
                       terms="Prices exclude travel.")
    quote.subtotal, quote.tax_total, quote.total = Decimal("1280.00"), Decimal("268.80"), Decimal("1548.80")
    db.session.commit()
    make.quote_section(quote, "Hardware", [("Rack 42U", "900.00")], position=1)
    make.quote_section(quote, "Installation", [("Mounting", "280.00")], position=2)

    res = client.get(f"/quotes/{quote.id}")
    page = BeautifulSoup(res.text, "html.parser")
    assert [h.get_text() for h in page.select("main h2")][:2] == ["Hardware", "Installation"]
    assert "Rack 42U" in res.text and "€900.00" in res.text and "Mounting" in res.text
    totals = page.select_one("table.totals").get_text(" ", strip=True)
    assert "Subtotal €1,280.00" in totals and "Tax €268.80" in totals and "Total €1,548.80" in totals
    assert "Thank you for your enquiry." in res.text and "Prices exclude travel." in res.text


@pytest.mark.parametrize(("hidden_as", "shown"), [("zero", "€0.00"), ("on_request", "Price on request")])
def test_hidden_prices_hide_quote_amounts(signed_in_a, make, db, hidden_as, shown):
    client, a, _ = signed_in_a
    quote = make.quote(a)
    make.quote_section(quote, "Hardware", [("Rack 42U", "900.00")], position=1)
    quote.subtotal, quote.tax_total, quote.total = Decimal("900.00"), Decimal("189.00"), Decimal("1089.00")
    db.session.commit()
    settings.save({"prices.hide": True, "prices.hidden_as": hidden_as})
    for res in (client.get("/quotes/"), client.get(f"/quotes/{quote.id}")):
        assert not [amount for amount in ("900.00", "189.00", "1,089.00") if amount in res.text]
        assert shown in res.text
    assert "Rack 42U" in client.get(f"/quotes/{quote.id}").text


def test_expired_badge_when_the_valid_until_date_has_passed(signed_in_a, make):
    client, a, _ = signed_in_a
    stale = make.quote(a, valid_until=date.today() - timedelta(days=1))
    fresh = make.quote(a, valid_until=date.today() + timedelta(days=14))

    res = client.get("/quotes/")
    rows = {tr.select_one("td").get_text(strip=True): tr.get_text() for tr in
            BeautifulSoup(res.text, "html.parser").select("tbody tr")}
    assert "Expired" in rows[stale.number] and "Expired" not in rows[fresh.number]
    assert "no longer valid" in client.get(f"/quotes/{stale.id}").text
    assert "no longer valid" not in client.get(f"/quotes/{fresh.id}").text


def test_accepted_quote_shows_who_accepted_it_and_when(signed_in_a, make):
    client, a, _ = signed_in_a
    quote = make.quote(a, status=QuoteStatus.accepted, accepted_name="Ann Alpha",
                       accepted_dt=datetime(2026, 2, 3, 14, 5, tzinfo=UTC))
    text = BeautifulSoup(client.get(f"/quotes/{quote.id}").text, "html.parser").select_one("dl.meta").get_text(
        " ", strip=True)
    assert "Accepted by Ann Alpha" in text and "Accepted on 03 Feb 2026 14:05" in text


def test_conversation_is_shown_and_answered_below_it(signed_in_a, make):
    client, a, _ = signed_in_a
    quote = make.quote(a, status=QuoteStatus.changes_requested)
    make.quote_message(quote, "Could the rack be black?", author_name="Ann Alpha")
    make.quote_message(quote, "Yes, same price.", from_staff=True)

    res = client.get(f"/quotes/{quote.id}")
    page = BeautifulSoup(res.text, "html.parser")
    items = [li.get_text(" ", strip=True) for li in page.select(".conversation li")]
    assert "Could the rack be black?" in items[0] and "Yes, same price." in items[1]
    assert "Portal" in items[1]  # staff messages are signed with the business name
    # the only ways to write in it are the answer forms (tests/test_quote_answers.py)
    assert [f["id"] for f in page.select("main form[method=post]")] == ["accept", "request-changes", "decline"]


def test_a_requested_quote_shows_without_prices(signed_in_a, make):
    client, a, _ = signed_in_a
    request = make.quote(a, status=QuoteStatus.requested, title="Please quote 40 pallets")
    res = client.get("/quotes/")
    assert "Please quote 40 pallets" in res.text and "To be priced" in res.text
    res = client.get(f"/quotes/{request.id}")
    assert "We are preparing prices" in res.text and "€100.00" not in res.text


def test_empty_state(signed_in_a):
    client, _, _ = signed_in_a
    assert "You have no quotes yet." in client.get("/quotes/").text


def test_list_paginates_newest_first(signed_in_a, make):
    client, a, _ = signed_in_a
    made = [make.quote(a, created_dt=datetime.now(UTC) - timedelta(days=30 - i)) for i in range(26)]
    expected = [q.number for q in reversed(made)]
    res = client.get("/quotes/")
    assert first_column(res) == expected[:25]
    assert first_column(res.click("Older")) == expected[25:]


# --- who may see them ----------------------------------------------------------------------------

def test_viewer_sees_quotes(testapp, make, login):
    company = make.company()
    quote = make.quote(company)
    login(testapp, make.contact(company, role="Viewer"))
    assert quote.number in testapp.get("/quotes/").text
    assert testapp.get(f"/quotes/{quote.id}").status_int == 200


def test_role_without_the_view_permission_gets_403(testapp, make, login, db):
    company = make.company()
    quote = make.quote(company)
    role = make.role("Viewer")
    role.permissions = [p for p in role.permissions if p != "quotes.view"]
    db.session.commit()
    res = login(testapp, make.contact(company, role="Viewer"))
    assert 'href="/quotes/"' not in res.text
    for url in ("/quotes/", f"/quotes/{quote.id}"):
        assert testapp.get(url, expect_errors=True).status_int == 403


def test_feature_off_is_404(signed_in_a, make):
    client, a, _ = signed_in_a
    quote = make.quote(a)
    settings.set_feature("quotations", False)
    for url in ("/quotes/", f"/quotes/{quote.id}"):
        assert client.get(url, expect_errors=True).status_int == 404


def test_list_runs_the_same_number_of_queries_for_3_or_20_quotes(signed_in_a, make, db, count_queries):
    client, a, _ = signed_in_a

    def count() -> int:
        db.session.expire_all()
        with count_queries() as counter:
            client.get("/quotes/")
        return counter.count

    for _ in range(3):
        make.quote(a, valid_until=date.today())
    client.get("/quotes/")
    few = count()
    for _ in range(17):
        make.quote(a, valid_until=date.today())
    many = count()
    assert len(first_column(client.get("/quotes/"))) == 20
    assert few == many
