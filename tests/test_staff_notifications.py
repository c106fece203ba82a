"""In-app staff notifications: a client's answer to a quote reaches its reps' back office (a navbar
count and a list with links), each staff member sees and marks only their own."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from webtest import TestApp

from portal.models import Notification, NotificationRoute, OutboxEmail, RepAccess
from portal.services import clock, notifications, quote_shares, reps, staff_notices
from portal.services.actor import Actor
from tests.conftest import PASSWORD


@pytest.fixture
def quote(make, staff):
    company = make.company(name="ACME Tools")
    return make.quote(company, title="Warehouse racking", valid_until=clock.today() + timedelta(days=10),
                      created_by_id=staff.id)


def share_link(db, quote, staff) -> str:
    raw, _link = quote_shares.share(quote, name="Dana Buyer", email="dana@acme.example", by=Actor.of(staff))
    db.session.commit()
    return f"/quotes/link/{raw}"


def unread_badge(page) -> int:
    return int(page.html.select_one("#unread-count").get_text(strip=True))


def client_asks_for_changes(app, url: str, body: str = "Please add installation.") -> None:
    form = TestApp(app).get(url).forms["request-changes"]
    form["body"] = body
    form.submit().follow()


def test_a_change_request_by_link_reaches_the_reps_navbar_and_list_with_a_working_link(admin, db, staff, quote):
    url = share_link(db, quote, staff)
    assert unread_badge(admin.get("/admin/")) == 0
    client_asks_for_changes(admin.app, url)

    home = admin.get("/admin/")
    assert unread_badge(home) == 1
    listing = home.click(href="/admin/notifications/")
    [row] = listing.html.select("tr.notification")
    assert "A client asked for changes to a quote: ACME Tools" in row.get_text()
    assert f"Dana Buyer asked for changes to quote {quote.number}: Please add installation." in row.get_text()
    assert "Unread" in row.get_text() and "unread" in row["class"]

    quote_page = admin.get(row.select_one("a")["href"]).follow()
    assert quote_page.request.path == "/admin/quote/edit/" and quote_page.request.query_string == f"id={quote.id}"
    assert "Please add installation." in quote_page.html.select_one("#conversation-panel").text
    assert unread_badge(quote_page) == 0
    [row] = admin.get("/admin/notifications/").html.select("tr.notification")
    assert "Read" in row.get_text() and "unread" not in row["class"]


def test_a_decline_by_a_signed_in_buyer_notifies_creator_and_allocated_reps_once_each(
        admin, testapp, db, make, login, staff, quote):
    rep = make.rep([quote.company], name="Rita Rep")
    other_company_rep = make.rep([make.company()], name="Olaf Other")
    db.session.add(NotificationRoute(kind="quote_declined", recipient_user_id=staff.id))
    db.session.commit()
    buyer = TestApp(admin.app)
    login(buyer, make.contact(quote.company, role="Buyer", name="Bea Buyer"))
    form = buyer.get(f"/quotes/{quote.id}").forms["decline"]
    form["reason"] = "Too expensive."
    form.submit().follow()

    db.session.expire_all()
    told = db.session.execute(select(Notification.user_id, Notification.kind)).all()
    assert sorted(told) == sorted([(staff.id, "quote_declined"), (rep.id, "quote_declined")])
    assert other_company_rep.id not in {user_id for user_id, _ in told}
    # the route still emails its staff member, once
    assert [e.to_address for e in db.session.execute(
        select(OutboxEmail).filter_by(kind="staff_notice")).scalars()] == [staff.email]
    page = admin.get("/admin/notifications/")
    assert "Bea Buyer declined quote" in page.text and "Reason: Too expensive." in page.text
    assert unread_badge(page) == 1


def test_mark_all_read_clears_the_count_and_only_mine(admin, db, make, staff):
    colleague = make.staff(name="Carl Colleague")
    staff_notices.notify("quote_declined", "One.", also=[staff, colleague])
    staff_notices.notify("quote_declined", "Two.", also=[staff])
    db.session.commit()
    page = admin.get("/admin/notifications/")
    assert unread_badge(page) == 2 and len(page.html.select("tr.unread")) == 2
    done = page.forms["mark-all-read"].submit().follow()
    assert "2 notifications marked read." in done.text
    assert unread_badge(done) == 0 and not done.html.select("tr.unread")
    assert notifications.unread_count(colleague.id) == 1


def test_mark_all_read_needs_the_form_token(admin, db, staff):
    staff_notices.notify("quote_declined", "One.", also=[staff])
    db.session.commit()
    admin.post("/admin/notifications/mark-all-read/", {}, status=400)
    assert notifications.unread_count(staff.id) == 1


def test_another_staff_member_can_neither_see_nor_open_my_notifications(admin, db, make, staff):
    colleague = make.staff(name="Carl Colleague", email="carl@northwind.example")
    staff_notices.notify("quote_declined", "Secret to Stella.", also=[staff],
                         link="http://portal.example/admin/quote/edit/?id=1")
    db.session.commit()
    mine = db.session.execute(select(Notification).filter_by(user_id=staff.id)).scalar_one()

    other = TestApp(admin.app)
    other.get("/login")
    form = other.get("/login").forms["login"]
    form["email"], form["password"] = colleague.email, PASSWORD
    form.submit(status=302)
    page = other.get("/admin/notifications/")
    assert "Secret to Stella." not in page.text and unread_badge(page) == 0
    other.get(f"/admin/notifications/open/?id={mine.id}", status=404)
    token = page.forms["mark-all-read"]["csrf_token"].value
    other.post("/admin/notifications/mark-all-read/", {"csrf_token": token}).follow()
    db.session.expire_all()
    assert mine.read_dt is None
    assert notifications.unread_count(staff.id) == 1


@pytest.mark.parametrize("who", ["anonymous", "contact", "rep"])
def test_non_staff_get_no_notification_screen(testapp, db, make, login, who):
    staff = make.staff()
    staff_notices.notify("quote_declined", "Staff only.", also=[staff])
    db.session.commit()
    row = db.session.execute(select(Notification)).scalar_one()
    if who == "contact":
        login(testapp, make.contact(make.company()))
    elif who == "rep":
        login(testapp, make.rep())
    for url in ("/admin/notifications/", f"/admin/notifications/open/?id={row.id}"):
        res = testapp.get(url, expect_errors=True)
        assert res.status_int == (302 if who == "anonymous" else 403)
        assert "Staff only." not in res.text
    res = testapp.post("/admin/notifications/mark-all-read/", {}, expect_errors=True)
    assert res.status_int in (302, 400, 403)
    db.session.expire_all()
    assert row.read_dt is None


@pytest.mark.parametrize("link", [
    "https://evil.example//evil.example/x", "//evil.example/admin/", "/admin/\\evil.example", "/quotes/1",
    "javascript:alert(1)", "/admin/../login", "/%2F%2Fevil.example",
])
def test_a_notification_never_leads_outside_the_back_office(admin, db, staff, link):
    db.session.add(Notification(user_id=staff.id, kind="quote_declined", title="Odd", link=link))
    db.session.commit()
    row = db.session.execute(select(Notification)).scalar_one()
    res = admin.get(f"/admin/notifications/open/?id={row.id}", status=302)
    assert res.headers["Location"].endswith("/admin/notifications/")
    db.session.expire_all()
    assert row.read_dt is not None


def test_the_emailed_link_is_kept_as_a_back_office_path():
    assert notifications.admin_path("https://portal.example/admin/quote/edit/?id=7") == "/admin/quote/edit/?id=7"
    assert notifications.admin_path("https://portal.example/shop/admin/user/edit/?id=2") == "/admin/user/edit/?id=2"
    assert notifications.admin_path("https://portal.example/quotes/7") is None
    assert notifications.admin_path("") is None


def test_a_route_and_also_name_the_same_person_once_and_inactive_or_customers_never(db, make, staff):
    leaver = make.staff(is_active_flag=False)
    customer = make.contact(make.company())
    db.session.add(NotificationRoute(kind="quote_changes_requested", recipient_user_id=staff.id,
                                     team_email="sales@northwind.example"))
    db.session.flush()
    staff_notices.notify("quote_changes_requested", "Hi.", also=[staff, leaver, customer, staff])
    rows = db.session.execute(select(Notification)).scalars().all()
    assert [r.user_id for r in rows] == [staff.id]


def test_the_unread_count_is_one_query_per_page(admin, db, staff, count_queries):
    staff_notices.notify("quote_declined", "One.", also=[staff])
    db.session.commit()
    admin.get("/admin/notifications/")
    with count_queries() as counter:
        admin.get("/admin/settings/")
    assert len([s for s in counter.statements if re.search(r"FROM notification\b(?!_)", s)]) == 1


def test_the_list_is_paged_newest_first(admin, db, staff):
    for n in range(notifications.PAGE_SIZE + 2):
        with clock.frozen(clock.now() + timedelta(minutes=n)):
            staff_notices.notify("quote_declined", f"Event {n}.", also=[staff])
    db.session.commit()
    first = admin.get("/admin/notifications/")
    rows = first.html.select("tr.notification")
    assert len(rows) == notifications.PAGE_SIZE and f"Event {notifications.PAGE_SIZE + 1}." in rows[0].get_text()
    second = first.click(description="Older")
    assert [r.select_one(".small").get_text(strip=True) for r in second.html.select("tr.notification")] == [
        "Event 1.", "Event 0."]
    admin.get("/admin/notifications/?page=abc", status=404)
    admin.get("/admin/notifications/?page=9", status=404)


def test_a_quotes_reps_are_its_staff_creator_and_the_active_reps_allocated_to_its_company(db, make, staff):
    acme = make.company(name="ACME Tools")
    make.rep([acme], name="Rita Rep")
    make.rep([acme], name="Gone Rep", is_active_flag=False)
    make.rep([make.company()], name="Other Rep")
    make.rep([], access=RepAccess.all, name="All-customers Rep")
    by_staff = make.quote(acme, created_by_id=staff.id)
    by_customer = make.quote(acme, created_by_id=make.contact(acme).id)
    assert [u.name for u in reps.for_quote(by_staff)] == [staff.name, "Rita Rep"]
    assert [u.name for u in reps.for_quote(by_customer)] == ["Rita Rep"]
