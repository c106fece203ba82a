"""Customer activity (issue 11 item 7): staff see which customers are engaged and which are dormant, and the
portal events behind it — sign-ins, orders, quotes opened and accepted, tickets — per company."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select

from portal.models import CompanyActivity, PortalEvent, TokenPurpose
from portal.services import clock, company_activity, portal_events, sign_in, tokens
from portal.services.actor import Actor
from tests.shop_ordering import add_to_cart, place, shop_world
from tests.test_quote_acceptance import fill, make_priced_quote
from tests.ticket_helpers import open_ticket

PAGE = "/admin/customer-activity/"
EVENTS = "/admin/customer-activity/events/"


def as_staff(testapp, login, staff):
    """The same browser, signed out of the portal and signed in to the back office."""
    testapp.reset()
    login(testapp, staff)
    return testapp


def company_row(page, company) -> dict[str, str]:
    row = page.html.select_one(f"#activity-company-{company.id}")
    assert row is not None, f"{company.name} is not listed"
    return {cell: row.select_one(f"td.{cell}").get_text(" ", strip=True)
            for cell in ("last-activity", "last-what", "last-sign-in", "last-order", "recent-events")}


def listed(page) -> list[str]:
    return [row.select_one("a").get_text(strip=True) for row in page.html.select("tr.activity-company")]


def events_shown(page) -> list[dict[str, str]]:
    return [{"company": row.select("td")[1].get_text(" ", strip=True),
             "who": row.select_one("td.who").get_text(" ", strip=True),
             "what": row.select_one("td.what").get_text(" ", strip=True),
             "subject": row.select_one("td.subject").get_text(" ", strip=True),
             "link": (row.select_one("td.subject a") or {}).get("href")}
            for row in page.html.select("tr.activity-event")]


# --- what the portal records ---------------------------------------------------------------------------

def test_a_contacts_sign_in_shows_for_each_company_they_work_for(testapp, make, login, staff):
    acme, bright, quiet = (make.company(name=n) for n in ("ACME Tools", "Brightline Interiors", "Quiet Co"))
    anna = make.contact(acme, name="Anna Admin", email="anna@acme.example")
    make.membership(anna, bright)
    login(testapp, anna)
    page = as_staff(testapp, login, staff).get(PAGE)
    for company in (acme, bright):
        row = company_row(page, company)
        assert row["last-what"] == "Signed in" and row["last-sign-in"] == row["last-activity"] != "never"
        assert row["last-order"] == "" and row["recent-events"] == "1"
    assert company_row(page, quiet)["last-activity"] == "never"
    shown = events_shown(testapp.get(EVENTS))
    assert sorted(e["company"] for e in shown) == ["ACME Tools", "Brightline Interiors"]
    assert {(e["who"], e["what"]) for e in shown} == {("Anna Admin <anna@acme.example>", "Signed in")}


def test_a_sign_in_by_emailed_link_is_recorded_too(testapp, db, make, staff, login):
    acme = make.company(name="ACME Tools")
    anna = make.contact(acme, name="Anna Admin", email="anna@acme.example")
    raw = tokens.issue(TokenPurpose.magic_link, user=anna, ttl=timedelta(minutes=15))
    db.session.commit()
    assert db.session.execute(select(PortalEvent)).first() is None  # opening the link is not signing in
    testapp.get(f"/login/link/{raw}").forms["confirm"].submit().follow()
    event = db.session.execute(select(PortalEvent)).scalar_one()
    assert (event.kind, event.company_id, event.user_id, event.data) == ("signed_in", acme.id, anna.id,
                                                                          {"how": "link"})
    assert company_row(as_staff(testapp, login, staff).get(PAGE), acme)["last-what"] == "Signed in"


def test_a_failed_sign_in_records_nothing(testapp, db, make, login):
    anna = make.contact(make.company(name="ACME Tools"), email="anna@acme.example")
    login(testapp, anna, password="not the password", expect_success=False)
    assert db.session.execute(select(PortalEvent)).first() is None


def test_an_order_placed_in_the_portal_is_the_companys_last_order(testapp, db, make, login, staff):
    shop = shop_world(make)
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[0], "3")
    _, placed = place(testapp)
    placed.follow()
    order_event = db.session.execute(select(PortalEvent).filter_by(kind="order_placed")).scalar_one()
    number = order_event.data["number"]
    page = as_staff(testapp, login, staff).get(PAGE)
    row = company_row(page, shop.company)
    assert row["last-what"] == "Placed an order" and row["last-order"] == row["last-activity"]
    assert row["recent-events"] == "2"  # the sign-in and the order
    [order] = [e for e in events_shown(testapp.get(EVENTS)) if e["what"] == "Placed an order"]
    assert order["who"] == f"Bea Buyer <{shop.buyer.email}>" and order["subject"] == number
    assert order["link"].startswith("/admin/sales-order/edit/")
    assert number in testapp.get(order["link"]).text


def test_an_order_a_rep_places_for_a_customer_names_the_rep(testapp, db, make, login, staff):
    shop = shop_world(make)
    rep = make.rep(allocated=[shop.company], name="Rita Rep", email="rita@northwind.example")
    login(testapp, rep).forms[f"act-{shop.company.id}"].submit()
    add_to_cart(testapp, shop.products[1])
    place(testapp)[1].follow()
    event = db.session.execute(select(PortalEvent).filter_by(kind="order_placed")).scalar_one()
    assert (event.company_id, event.user_id, event.acting_rep_id) == (shop.company.id, rep.id, rep.id)
    page = as_staff(testapp, login, staff).get(PAGE)
    assert company_row(page, shop.company)["last-what"] == "Placed an order"
    shown = events_shown(testapp.get(EVENTS, params={"company": shop.company.id}))
    assert [(e["who"], e["what"]) for e in shown] == [
        ("Rita Rep <rita@northwind.example> (sales rep)", "Placed an order"),
        ("Rita Rep <rita@northwind.example> (sales rep)", "A sales rep started working for the company")]


def test_a_quote_opened_and_accepted_by_a_contact_shows_with_a_link_to_the_quote(testapp, db, make, login, staff):
    quote = make_priced_quote(make, db)
    vic = make.contact(quote.company, role="Buyer", name="Vic Buyer", email="vic@acme.example")
    login(testapp, vic)
    form = testapp.get(f"/quotes/{quote.id}").forms["accept"]
    fill(form, name="Vic Buyer", email="vic@acme.example").submit().follow()
    page = as_staff(testapp, login, staff).get(PAGE)
    row = company_row(page, quote.company)
    # the page is opened again after accepting (a view); accepting made the order
    assert row["last-order"] != "" and row["last-what"] == "Viewed a quote"
    shown = events_shown(testapp.get(EVENTS, params={"company": quote.company_id}))
    assert [e["what"] for e in shown] == ["Viewed a quote", "Accepted a quote", "Viewed a quote", "Signed in"]
    accepted = shown[1]
    assert accepted["subject"] == quote.number and accepted["link"] == f"/admin/quote/edit/?id={quote.id}"
    assert accepted["who"] == "Vic Buyer <vic@acme.example>"


def test_a_ticket_opened_and_answered_by_the_customer_shows(testapp, db, make, login, staff):
    acme = make.company(name="ACME Tools")
    bea = make.contact(acme, name="Bea Buyer", email="bea@acme.example")
    login(testapp, bea)
    thread = open_ticket(testapp, subject="Pallet arrived damaged").follow()
    form = thread.forms["reply"]
    form["body"] = "Photos attached later."
    form.submit().follow()
    page = as_staff(testapp, login, staff).get(PAGE)
    assert company_row(page, acme)["last-what"] == "Replied on a support ticket"
    shown = events_shown(testapp.get(EVENTS, params={"company": acme.id}))
    assert [e["what"] for e in shown] == ["Replied on a support ticket", "Opened a support ticket", "Signed in"]
    assert shown[0]["subject"].startswith("TCK-") and shown[0]["link"].startswith("/admin/ticket/thread/")
    assert "Pallet arrived damaged" in testapp.get(shown[0]["link"]).text


# --- the page's filters -----------------------------------------------------------------------------------

NOW = datetime(2026, 6, 15, 12, 0)


@pytest.fixture
def history(db, make):
    """Busy signed in today, Lapsed 40 days ago, Never not at all; Gone is a supplier (not listed)."""
    busy, lapsed, never = (make.company(name=n) for n in ("Busy Builders", "Lapsed Ltd", "Never Inc"))
    make.supplier(name="Gone Supplies")
    for company, days_ago in ((busy, 0), (lapsed, 40)):
        contact = make.contact(company, name=f"{company.name} Person", email=f"p@{company.code.lower()}.example")
        with clock.frozen(NOW - timedelta(days=days_ago)):
            sign_in.record_sign_in(contact, Actor(), sign_in.PASSWORD)
    db.session.commit()
    return {"busy": busy, "lapsed": lapsed, "never": never}


def test_dormant_lists_customers_without_activity_in_the_chosen_days(admin, history):
    with clock.frozen(NOW):
        assert listed(admin.get(PAGE, params={"show": "dormant", "days": "30"})) == ["Lapsed Ltd", "Never Inc"]
        assert listed(admin.get(PAGE, params={"show": "dormant", "days": "60"})) == ["Never Inc"]
        assert listed(admin.get(PAGE, params={"show": "engaged", "days": "60"})) == ["Busy Builders", "Lapsed Ltd"]
        assert listed(admin.get(PAGE, params={"show": "engaged", "days": "30"})) == ["Busy Builders"]
        everyone = admin.get(PAGE)
        assert listed(everyone) == ["Busy Builders", "Lapsed Ltd", "Never Inc"]  # latest activity first
        assert "3 customers." in everyone.html.select_one("#activity-total").text
        assert listed(admin.get(PAGE, params={"sort": "dormant"})) == ["Never Inc", "Lapsed Ltd", "Busy Builders"]


def test_the_filter_form_on_the_page_applies_the_chosen_days(admin, history):
    with clock.frozen(NOW):
        form = admin.get(PAGE).forms["activity-filter"]
        form["show"], form["days"], form["sort"] = "dormant", "45", "dormant"
        page = form.submit()
    assert listed(page) == ["Never Inc"]
    assert page.forms["activity-filter"]["days"].value == "45"


@pytest.mark.parametrize("days", ["0", "abc", "99999", "-3"])
def test_bad_days_are_explained_and_the_default_is_shown(admin, history, days):
    with clock.frozen(NOW):
        page = admin.get(PAGE, params={"show": "dormant", "days": days})
    assert "Days must be a whole number from 1 to 3650." in page.html.select_one(".alert-danger").text
    assert listed(page) == ["Lapsed Ltd", "Never Inc"]  # N = 30


def test_a_filter_not_offered_is_explained(admin, history):
    page = admin.get(PAGE, params={"show": "everyone"})
    assert "Choose one of the filters offered." in page.html.select_one(".alert-danger").text
    assert len(listed(page)) == 3


def test_the_company_filter_shows_only_that_companys_events(admin, history):
    busy, lapsed = history["busy"], history["lapsed"]
    form = admin.get(EVENTS).forms["events-filter"]
    form["company"] = str(lapsed.id)
    shown = events_shown(form.submit())
    assert [e["company"] for e in shown] == ["Lapsed Ltd"]
    assert [e["company"] for e in events_shown(admin.get(EVENTS, params={"company": busy.id}))] == ["Busy Builders"]
    assert events_shown(admin.get(EVENTS, params={"company": history["never"].id})) == []
    assert len(events_shown(admin.get(EVENTS))) == 2


def test_the_events_filter_by_kind_and_dates(admin, db, history):
    busy = history["busy"]
    with clock.frozen(NOW - timedelta(days=2)):
        portal_events.record("ticket_opened", company_id=busy.id, by=Actor())
    db.session.commit()
    day = lambda days_ago: (NOW - timedelta(days=days_ago)).date().isoformat()
    whats = lambda **params: [e["what"] for e in events_shown(admin.get(EVENTS, params=params))]
    assert whats(kind="ticket_opened") == ["Opened a support ticket"]
    assert whats(since=day(3), until=day(1)) == ["Opened a support ticket"]
    assert whats(since=day(2)) == ["Signed in", "Opened a support ticket"]
    assert whats(until=day(30)) == ["Signed in"]  # Lapsed's, 40 days ago
    page = admin.get(EVENTS, params={"since": "15/06/2026", "kind": "made_up"})
    errors = page.html.select_one(".alert-danger").text + page.html.select(".alert-danger")[1].text
    assert "Choose one of the kinds offered." in errors and "Enter dates as YYYY-MM-DD." in errors
    assert len(events_shown(page)) == 3


def test_the_events_list_is_paged_newest_first(admin, db, history):
    busy = history["busy"]
    for minute in range(55):
        with clock.frozen(NOW + timedelta(minutes=minute)):
            portal_events.record("quote_viewed", company_id=busy.id, by=Actor())
    db.session.commit()
    first = admin.get(EVENTS, params={"company": busy.id})
    assert len(events_shown(first)) == 50 and first.html.select_one("a[rel=next]") is not None
    second = first.click(linkid=None, href="page=2")
    assert [e["what"] for e in events_shown(second)] == ["Viewed a quote"] * 5 + ["Signed in"]
    assert second.html.select_one("a[rel=next]") is None
    assert admin.get(EVENTS, params={"page": "0"}, status=404)


# --- what "last activity" keeps -----------------------------------------------------------------------------

def kept(db, company) -> CompanyActivity:
    db.session.expire_all()
    return db.session.get(CompanyActivity, company.id)


def test_last_activity_moves_forward_only_and_counts_the_customers_own_doing(db, make):
    acme = make.company(name="ACME Tools")
    with clock.frozen(NOW):
        portal_events.record("quote_viewed", company_id=acme.id, by=Actor())
    with clock.frozen(NOW - timedelta(days=1)):  # recorded late (an older moment): never moves it back
        portal_events.record("order_placed", company_id=acme.id, by=Actor())
    db.session.commit()
    row = kept(db, acme)
    assert (row.last_event_kind, row.last_event_dt.replace(tzinfo=None)) == ("quote_viewed", NOW)
    assert row.last_order_dt.replace(tzinfo=None) == NOW - timedelta(days=1) and row.last_sign_in_dt is None
    with clock.frozen(NOW + timedelta(hours=1)):  # staff revising the quote is not the customer's activity
        portal_events.record("quote_revised", company_id=acme.id, by=Actor())
    with clock.frozen(NOW + timedelta(hours=2)):
        portal_events.record("signed_in", company_id=acme.id, by=Actor())
    db.session.commit()
    row = kept(db, acme)
    assert row.last_event_kind == "signed_in"
    assert row.last_event_dt.replace(tzinfo=None) == row.last_sign_in_dt.replace(tzinfo=None) == \
        NOW + timedelta(hours=2)


def test_events_in_the_last_30_days_leave_out_older_and_staff_events(admin, db, make):
    acme = make.company(name="ACME Tools")
    for days_ago, kind in ((0, "quote_viewed"), (29, "signed_in"), (31, "signed_in"), (1, "quote_revised")):
        with clock.frozen(NOW - timedelta(days=days_ago)):
            portal_events.record(kind, company_id=acme.id, by=Actor())
    db.session.commit()
    with clock.frozen(NOW):
        assert company_row(admin.get(PAGE), acme)["recent-events"] == "2"


def test_a_kind_no_feature_declares_is_refused(db, make):
    with pytest.raises(portal_events.UndeclaredKind):
        portal_events.record("quote_liked", company_id=make.company().id, by=Actor())


def test_every_kind_the_features_record_is_declared(db):
    declared = portal_events.kinds()
    for kind in ("signed_in", "order_placed", "quote_viewed", "quote_accepted", "ticket_opened", "ticket_replied",
                 "return_requested", "invoice_pdf_downloaded", "statement_pdf_downloaded"):
        assert kind in declared and str(declared[kind].label)


def test_the_companies_page_reads_the_same_whatever_the_history(admin, db, make, count_queries):
    """The page reads each company's kept row, never its events (only the 30-day count, over an index)."""
    companies = [make.company(name=f"Customer {n:02}") for n in range(5)]
    for company in companies:
        portal_events.record("signed_in", company_id=company.id, by=Actor())
    db.session.commit()
    with count_queries() as few:
        admin.get(PAGE)
    for company in companies:
        for _ in range(40):
            portal_events.record("quote_viewed", company_id=company.id, by=Actor())
    db.session.commit()
    with count_queries() as many:
        page = admin.get(PAGE)
    assert many.count == few.count
    assert company_row(page, companies[0])["recent-events"] == "41"


# --- who may look ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [PAGE, EVENTS])
def test_only_staff_reach_the_page(testapp, make, login, url):
    res = testapp.get(url)
    assert res.status_int == 302 and "/login" in res.location
    acme = make.company()
    login(testapp, make.contact(acme, role="Admin"))
    assert testapp.get(url, expect_errors=True).status_int == 403
    testapp.reset()
    login(testapp, make.rep(allocated=[acme]))
    assert testapp.get(url, expect_errors=True).status_int == 403


def test_the_page_is_in_the_customers_menu(admin):
    menu = admin.get("/admin/").html
    link = menu.select_one(f'a[href="{PAGE}"]')
    assert link is not None and link.get_text(strip=True) == "Customer activity"


def plan_of(db, statement) -> str:
    """The database's plan for a select (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL)."""
    connection = db.session.connection()
    postgres = connection.dialect.name == "postgresql"
    if postgres:  # an empty test table is cheapest to read whole: ask which index the plan can use
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")

    def explain(conn, cursor, sql, params, context, executemany):
        return ("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + sql, params

    event.listen(connection, "before_cursor_execute", explain, retval=True)
    try:
        rows = connection.execute(statement).all()
    finally:
        event.remove(connection, "before_cursor_execute", explain)
    return " | ".join(" ".join(str(v) for v in row) for row in rows)


def test_the_page_reads_events_through_indexes_never_the_whole_table(db, make):
    """The 30-day counts read that window and a company's event list its newest rows, through an index:
    the cost follows the page, not the history (bench/company_activity.py measures it with many events)."""
    ids = [make.company().id for _ in range(3)]
    db.session.commit()
    by_company, by_time = "ix_portal_event_company_created_kind", "ix_portal_event_created_dt"
    plans = {"counts": plan_of(db, company_activity.recent_counts_query(ids)),
             "one company": plan_of(db, company_activity.events_query(company_id=ids[0]).limit(51)),
             "everyone": plan_of(db, company_activity.events_query().limit(51))}
    for name, plan in plans.items():
        assert by_company in plan or by_time in plan, (name, plan)
        assert "Seq Scan on portal_event" not in plan and "SCAN portal_event" not in plan.replace(
            "SCAN portal_event USING", ""), (name, plan)
    assert by_company in plans["one company"]


def test_staff_who_read_dutch_get_the_page_in_dutch(testapp, db, login, make, history):
    reader = make.staff(name="Nina Staff", email="nina@northwind.example", language="nl")
    login(testapp, reader)
    with clock.frozen(NOW):
        page = testapp.get(PAGE, params={"show": "dormant"})
    assert "Laatste activiteit (UTC)" in page.text and "Slapend: geen activiteit in de laatste N dagen" in page.text
    assert company_row(page, history["never"])["last-activity"] == "nooit"
    assert company_row(page, history["lapsed"])["last-what"] == "Ingelogd"
    assert "Ingelogd" in testapp.get(EVENTS).html.select_one("tr.activity-event td.what").text
