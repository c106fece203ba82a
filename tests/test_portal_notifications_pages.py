"""The portal user's notification centre (issue 11 item 6): the bell with the unread count in the top bar,
/notifications (newest first, unread highlighted, each linking to its page), mark one read (by opening it or
with its button), mark all read — only ever the user's own, about the company they act for."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from webtest import TestApp

from portal import settings
from portal.models import Notification, OrderStatus, ShipmentStatus
from portal.services import customer_notices, portal_notices


@pytest.fixture
def acme(make, db):
    company = make.company(name="Acme Tools")
    company.anna = make.contact(company, role="Admin", name="Anna", email="anna@acme.example")
    company.bert = make.contact(company, role="Buyer", name="Bert", email="bert@acme.example")
    db.session.commit()
    return company


def client_of(testapp, login, user) -> TestApp:
    client = TestApp(testapp.app)
    login(client, user)
    return client


def bell(page) -> str:
    """What the bell shows: the unread count, or "" when nothing is unread."""
    link = page.html.select_one("#notification-bell")
    assert link is not None and link["href"] == "/notifications"
    count = link.select_one(".bell-count")
    return count.get_text(strip=True) if count else ""


def confirmed(db, make, company, n: int = 1) -> list:
    """n orders of the company confirmed by staff: each tells its contacts."""
    orders = []
    for _ in range(n):
        order = make.order(company, status=OrderStatus.confirmed)
        customer_notices.order_status_changed(order, OrderStatus.submitted)
        orders.append(order)
    db.session.commit()
    return orders


def test_the_bell_counts_unread_and_opening_one_marks_it_read_and_goes_to_its_page(db, make, acme, testapp, login):
    first, second = confirmed(db, make, acme, 2)
    anna = client_of(testapp, login, acme.anna)
    page = anna.get("/notifications")
    assert bell(page) == "2"
    items = page.html.select("li.notification")
    assert [li.select_one("a").get_text(" ", strip=True) for li in items] == [
        f"Order confirmed : {second.number}", f"Order confirmed : {first.number}"]  # newest first
    assert all("unread" in li["class"] for li in items)
    opened = anna.get(items[1].select_one("a")["href"])
    assert opened.status_int == 302 and opened.location.endswith(f"/orders/{first.id}")
    order_page = opened.follow()
    assert first.number in order_page.text and bell(order_page) == "1"
    page = anna.get("/notifications")
    assert [("unread" in li["class"]) for li in page.html.select("li.notification")] == [True, False]


def test_mark_read_and_mark_all_read_clear_the_count(db, make, acme, testapp, login):
    confirmed(db, make, acme, 3)
    bert = client_of(testapp, login, acme.bert)
    page = bert.get("/notifications")
    assert bell(page) == "3"
    form = next(f for f in page.forms.values() if f.action.startswith("/notifications/read?"))
    page = form.submit().follow()
    assert "Marked read." in page.text and bell(page) == "2"
    page = page.forms["mark-all-read"].submit().follow()
    assert "2 notifications marked read." in page.text and bell(page) == ""
    assert "mark-all-read" not in page.forms
    # Anna's are her own: Bert reading his changed nothing of hers
    assert bell(client_of(testapp, login, acme.anna).get("/notifications")) == "3"


def test_mark_all_read_needs_the_form_token(db, make, acme, testapp, login):
    confirmed(db, make, acme)
    bert = client_of(testapp, login, acme.bert)
    assert bert.post("/notifications/read-all", {}, expect_errors=True).status_int == 400
    assert bell(bert.get("/notifications")) == "1"


def test_another_users_notification_is_not_found(db, make, acme, testapp, login):
    confirmed(db, make, acme)
    annas = db.session.execute(select(Notification).filter_by(user_id=acme.anna.id)).scalar_one()
    bert = client_of(testapp, login, acme.bert)
    assert bert.get(f"/notifications/open?id={annas.id}", expect_errors=True).status_int == 404
    token = bert.get("/notifications").forms["mark-all-read"]["csrf_token"].value
    assert bert.post("/notifications/read", {"id": annas.id, "csrf_token": token},
                     expect_errors=True).status_int == 404
    for bad in ("x", "0", "99999999999", ""):
        assert bert.get(f"/notifications/open?id={bad}", expect_errors=True).status_int == 404
    db.session.expire_all()
    assert db.session.get(Notification, annas.id).read_dt is None


def test_a_contact_of_two_companies_sees_each_companys_while_acting_for_it(db, make, acme, testapp, login):
    beta = make.company(name="Beta Parts")
    make.membership(acme.anna, beta, role="Admin")
    acme_order, = confirmed(db, make, acme)
    beta_order, beta_two = confirmed(db, make, beta, 2)
    anna = client_of(testapp, login, acme.anna)
    page = anna.get("/notifications")
    shown = page.html.select_one(".notification-list").get_text(" ")
    assert acme_order.number in shown and beta_order.number not in shown and bell(page) == "1"
    beta_row = db.session.execute(select(Notification).filter_by(user_id=acme.anna.id, company_id=beta.id)
                                  .limit(1)).scalar_one()
    assert anna.get(f"/notifications/open?id={beta_row.id}", expect_errors=True).status_int == 404
    options = {o["value"]: o.get_text(strip=True) for o in page.html.select("#company-switch option")}
    assert options == {str(acme.id): "Acme Tools", str(beta.id): "Beta Parts (2 unread)"}  # where news waits
    switch = page.forms[next(k for k, f in page.forms.items() if f.action == "/company/switch")]
    switch["company_id"] = str(beta.id)
    switch.submit()
    page = anna.get("/notifications")
    shown = page.html.select_one(".notification-list").get_text(" ")
    assert beta_order.number in shown and beta_two.number in shown and acme_order.number not in shown
    assert bell(page) == "2"


def test_a_rep_acting_for_a_customer_sees_its_notifications(db, make, acme, testapp, login):
    rep = make.rep(allocated=[acme], name="Rita Rep", email="rita@sales.example")
    order = make.order(acme, status=OrderStatus.pending_approval, placed_by=acme.bert)
    portal_notices.notify_company("order_approved", f"order_approved:test{order.id}", acme, permission="orders.view",
                                  title=order.number, page=portal_notices.path("orders.detail", order_id=order.id),
                                  people=[acme.bert], reps=True)
    db.session.commit()
    rita = client_of(testapp, login, rep)
    assert rita.get("/notifications").status_int == 302  # picks a customer first
    rita.get("/customers").forms[f"act-{acme.id}"].submit()
    page = rita.get("/notifications")
    assert bell(page) == "1" and order.number in page.html.select_one(".notification-list").get_text(" ")
    assert rita.get(page.html.select_one("li.notification a")["href"]).follow().status_int == 200


def test_a_switched_off_feature_neither_counts_nor_lists(db, make, acme, testapp, login):
    shipment = make.shipment(acme, status=ShipmentStatus.preparing)
    customer_notices.shipment_status_changed(shipment, None, ShipmentStatus.shipped)
    db.session.commit()
    bert = client_of(testapp, login, acme.bert)
    assert bell(bert.get("/notifications")) == "1"
    settings.set_feature("shipments", False)
    db.session.commit()
    page = bert.get("/notifications")
    assert bell(page) == "" and shipment.number not in page.text


def test_a_stored_link_that_is_not_a_portal_path_is_never_followed(db, make, acme, testapp, login):
    db.session.add(Notification(user_id=acme.bert.id, company_id=acme.id, kind="order_confirmed", title="SO-1",
                                link="https://evil.example/phish"))  # as if written around the service
    db.session.commit()
    bert = client_of(testapp, login, acme.bert)
    page = bert.get("/notifications")
    assert "evil.example" not in page.text
    opened = bert.get(page.html.select_one("li.notification a")["href"])
    assert opened.status_int == 302 and opened.location.endswith("/notifications")


def test_paging_reads_one_row_past_the_page(db, make, acme, testapp, login, count_queries):
    confirmed(db, make, acme, 21)
    bert = client_of(testapp, login, acme.bert)
    page = bert.get("/notifications")
    assert len(page.html.select("li.notification")) == 20 and bell(page) == "21"
    older = page.click(href="page=2")
    assert len(older.html.select("li.notification")) == 1
    with count_queries() as counter:
        bert.get("/notifications")
    assert not [s for s in counter.statements if "count(" in s.lower() and "notification" in s.lower()
                and "membership" not in s.lower()]


def test_a_supplier_contact_has_no_bell_and_no_notification_centre(db, make, testapp, login):
    supplier = make.supplier(name="Baltic Steel")
    sven = client_of(testapp, login, make.contact(supplier, role="Admin", email="sven@baltic.example"))
    home = sven.get("/").maybe_follow()
    assert home.status_int == 200 and home.html.select_one("#notification-bell") is None
    assert sven.get("/notifications", expect_errors=True).status_int == 404


def test_the_centre_speaks_the_users_language(db, make, acme, testapp, login):
    order, = confirmed(db, make, acme)
    acme.bert.language = "nl"
    db.session.commit()
    page = client_of(testapp, login, acme.bert).get("/notifications")
    assert f"Bestelling bevestigd : {order.number}" in page.html.select_one("li.notification a").get_text(" ", strip=True)
    assert "Alles als gelezen markeren" in page.text and "1 ongelezen over Acme Tools." in page.text
