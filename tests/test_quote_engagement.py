"""The Quote engagement screen: portal activity per quote and the filters that tell reps whom to call."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from portal.models import Company, QuoteStatus, User
from portal.services import clock, quote_shares
from portal.services.actor import Actor

NOW = datetime(2026, 6, 15, 12, 0)


def at(days_ago: float):
    return clock.frozen(NOW - timedelta(days=days_ago))


@pytest.fixture
def world(db, make, staff):
    """Quotes shared and opened at known times; returns {name: quote}."""
    quotes = {}

    def quote(name, company, shared=None, views=(), downloads=(), reshared=None, status=None):
        with at(30):
            q = make.quote(company, title=name, valid_until=NOW.date() + timedelta(days=30))
        if shared is not None:
            with at(shared):
                _raw, link = quote_shares.share(q, name=f"{name} Reader", email=f"{name.lower()}@client.example",
                                               by=Actor.of(staff))
                db.session.flush()
        if reshared is not None:
            with at(reshared):
                quote_shares.share(q, name=f"{name} Boss", email=f"boss-{name.lower()}@client.example",
                                   by=Actor.of(staff))
                db.session.flush()
        for days_ago in views:
            with at(days_ago):
                quote_shares.track(quote_shares.VIEWED, q, Actor(), link)
                db.session.flush()
        for days_ago in downloads:
            with at(days_ago):
                quote_shares.track(quote_shares.PDF_DOWNLOADED, q, Actor(), link)
                db.session.flush()
        if status is not None:
            q.status = status
        db.session.commit()
        quotes[name] = q
        return q

    acme, globex = make.company(name="ACME Tools"), make.company(name="Globex")
    quote("Viewed", acme, shared=10, views=[9])
    quote("Silent", acme, shared=5)
    quote("Recent", globex, shared=2)
    quote("Hot", globex, shared=8, views=[7, 6, 5], downloads=[5])
    quote("Accepted", acme, shared=8, views=[7, 6, 5, 4], downloads=[4], status=QuoteStatus.accepted)
    quote("Revised", globex, shared=10, views=[9], reshared=4)
    quote("Browsed", acme, shared=6, views=[5, 4, 3])
    quote("Skimmed", globex, shared=6, views=[5, 4], downloads=[4])
    quote("Declined", acme, shared=6, views=[5], status=QuoteStatus.declined)
    quote("Draft", acme, status=QuoteStatus.draft)
    return quotes


def listed(admin, query: str = "") -> list[str]:
    with clock.frozen(NOW):
        page = admin.get(f"/admin/quote-engagement/{query}")
    return sorted(row.select_one("a").get_text(strip=True) for row in page.html.select("tr.engagement-quote"))


def numbers(world, *names) -> list[str]:
    return sorted(world[n].number for n in names)


def test_all_quotes_with_activity_are_listed_with_their_figures(admin, world):
    with clock.frozen(NOW):
        page = admin.get("/admin/quote-engagement/")
    hot = world["Hot"]
    row = page.html.select_one(f"#engagement-quote-{hot.id}")
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    assert cells == [hot.number, "Globex", "Hot Reader <hot@client.example>", "sent", "2026-06-07 12:00", "3", "1",
                     "2026-06-10 12:00"]
    assert row.select_one("a")["href"] == f"/admin/quote/edit/?id={hot.id}"
    revised = page.html.select_one(f"#engagement-quote-{world['Revised'].id}").get_text(" ", strip=True)
    assert "Revised Reader <revised@client.example>, Revised Boss <boss-revised@client.example>" in revised
    assert "2026-06-11 12:00" in revised  # shared: the latest link
    assert sorted(r.select_one("a").get_text() for r in page.html.select("tr.engagement-quote")) == numbers(
        world, *(n for n in world if n != "Draft"))
    feed = page.html.select_one("#engagement-feed").get_text(" ", strip=True)
    assert f"Downloaded the PDF Hot Reader <hot@client.example> {hot.number} Globex" in feed


def test_viewed_but_not_accepted(admin, world):
    assert listed(admin, "?filter=viewed_not_accepted") == numbers(world, "Viewed", "Hot", "Revised", "Browsed",
                                                                           "Skimmed")


@pytest.mark.parametrize("days, expected", [
    ("", ("Silent", "Revised")),  # default: 3 days
    ("3", ("Silent", "Revised")),
    ("2", ("Silent", "Recent", "Revised")),  # shared exactly 2 days ago counts
    ("5", ("Silent",)),
    ("6", ()),
])
def test_not_viewed_n_days_after_sharing(admin, world, days, expected):
    assert listed(admin, f"?filter=not_viewed&days={days}") == numbers(world, *expected)


def test_several_views_and_a_pdf_download(admin, world):
    assert listed(admin, "?filter=hot") == numbers(world, "Hot")


def test_the_filter_form_chooses_and_keeps_the_choice(admin, world):
    with clock.frozen(NOW):
        form = admin.get("/admin/quote-engagement/").forms["engagement-filter"]
        form["filter"], form["days"] = "not_viewed", "5"
        page = form.submit()
    assert [r.select_one("a").get_text() for r in page.html.select("tr.engagement-quote")] == [world["Silent"].number]
    assert page.forms["engagement-filter"]["filter"].value == "not_viewed"
    assert page.forms["engagement-filter"]["days"].value == "5"


@pytest.mark.parametrize("query, message", [
    ("?filter=not_viewed&days=abc", "Days must be a whole number from 1 to 365. Showing 3 days."),
    ("?filter=not_viewed&days=0", "Days must be a whole number from 1 to 365. Showing 3 days."),
    ("?filter=not_viewed&days=99999999999999999999", "Days must be a whole number from 1 to 365. Showing 3 days."),
    ("?filter=everything", "Choose one of the filters offered. Showing all quotes."),
])
def test_a_bad_filter_is_explained(admin, world, query, message):
    with clock.frozen(NOW):
        page = admin.get(f"/admin/quote-engagement/{query}")
    assert message in page.html.select_one(".alert-danger").get_text()


def test_the_page_costs_the_same_queries_for_few_or_many_quotes(admin, db, make, staff, count_queries):
    company_id, staff_id = make.company(name="ACME Tools").id, staff.id

    def add(n):
        company, sender = db.session.get(Company, company_id), db.session.get(User, staff_id)
        for _ in range(n):
            with at(5):
                q = make.quote(company, valid_until=NOW.date() + timedelta(days=30))
                _raw, link = quote_shares.share(q, name="R", email="r@client.example", by=Actor.of(sender))
                quote_shares.track(quote_shares.VIEWED, q, Actor(), link)
                quote_shares.track(quote_shares.PDF_DOWNLOADED, q, Actor(), link)
                db.session.commit()

    def cost():
        db.session.expunge_all()
        with clock.frozen(NOW), count_queries() as counter:
            page = admin.get("/admin/quote-engagement/")
        return counter.count, len(page.html.select("tr.engagement-quote"))

    add(2)
    admin.get("/admin/quote-engagement/")  # warm up
    few, shown = cost()
    assert shown == 2
    add(12)
    many, shown = cost()
    assert shown == 14 and many == few, (few, many)


def test_the_list_is_paged(admin, db, make, staff, monkeypatch):
    from portal.services import quote_engagement

    monkeypatch.setattr(quote_engagement, "PAGE_SIZE", 2)
    company = make.company()
    for days in (3, 2, 1):
        with at(days):
            q = make.quote(company, valid_until=NOW.date() + timedelta(days=30))
            quote_shares.share(q, name="R", email="r@client.example", by=Actor.of(staff))
            db.session.commit()
    with clock.frozen(NOW):
        first = admin.get("/admin/quote-engagement/")
        second = first.click(description="Next")
        admin.get("/admin/quote-engagement/?page=3", status=404)
        admin.get("/admin/quote-engagement/?page=x", status=404)
    assert len(first.html.select("tr.engagement-quote")) == 2 and len(second.html.select("tr.engagement-quote")) == 1


@pytest.mark.parametrize("who", ["anonymous", "contact", "rep"])
def test_non_staff_get_no_engagement_page(testapp, db, make, login, who):
    if who == "contact":
        login(testapp, make.contact(make.company()))
    elif who == "rep":
        login(testapp, make.rep())
    res = testapp.get("/admin/quote-engagement/", expect_errors=True)
    assert res.status_int == (302 if who == "anonymous" else 403)
