"""Orders feature: the customer's order history and order detail."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from portal import settings
from portal.models import OrderStatus


def first_column(res) -> list[str]:
    table = BeautifulSoup(res.text, "html.parser").select_one("main table tbody")
    return [row.select_one("td").get_text(strip=True) for row in table.select("tr")] if table else []


@pytest.fixture
def signed_in_a(testapp, make, login):
    a, b = make.company(name="Alpha Trading"), make.company(name="Beta Builders")
    login(testapp, make.contact(a, role="Buyer"))
    return testapp, a, b


def test_contact_sees_own_orders_and_not_another_companys(signed_in_a, make):
    client, a, b = signed_in_a
    mine = make.order(a, total="242.00", customer_reference="PO-ALPHA-7")
    theirs = make.order(b, total="999.00", customer_reference="PO-BETA")

    res = client.get("/orders/")
    assert first_column(res) == [mine.number]
    assert "PO-ALPHA-7" in res.text and "€242.00" in res.text
    assert theirs.number not in res.text and "PO-BETA" not in res.text

    res = res.click(mine.number)
    assert f"Order {mine.number}" in res.text and "Widget" in res.text
    assert client.get(f"/orders/{theirs.id}", expect_errors=True).status_int == 404


def test_status_filter(signed_in_a, make):
    client, a, _ = signed_in_a
    submitted = make.order(a)
    delivered = make.order(a, status=OrderStatus.delivered)
    assert set(first_column(client.get("/orders/"))) == {submitted.number, delivered.number}
    assert first_column(client.get("/orders/?status=delivered")) == [delivered.number]
    assert "No orders match." in client.get("/orders/?status=cancelled").text


@pytest.mark.parametrize(("hidden_as", "shown"), [("zero", "€0.00"), ("on_request", "Price on request")])
def test_hidden_prices_hide_order_amounts(signed_in_a, make, hidden_as, shown):
    """Seed 000: hidden prices "display as $0"; staff may choose "Price on request" instead."""
    client, a, _ = signed_in_a
    order = make.order(a, total="242.00")
    settings.save({"prices.hide": True, "prices.hidden_as": hidden_as})
    for res in (client.get("/orders/"), client.get(f"/orders/{order.id}"), client.get("/dashboard")):
        assert "242.00" not in res.text and "200.00" not in res.text  # neither total nor net
        assert shown in res.text
    assert "Widget" in client.get(f"/orders/{order.id}").text
    settings.save({"prices.hide": False})
    assert "€242.00" in client.get(f"/orders/{order.id}").text


@pytest.mark.parametrize("role", ["Viewer", "Buyer", "Admin"])
def test_roles_with_the_view_permission_see_orders(testapp, make, login, role):
    company = make.company()
    order = make.order(company)
    login(testapp, make.contact(company, role=role))
    assert order.number in testapp.get("/orders/").text
    assert testapp.get(f"/orders/{order.id}").status_int == 200


def test_role_without_the_view_permission_gets_403(testapp, make, login, db):
    company = make.company()
    order = make.order(company)
    role = make.role("Viewer")
    role.permissions = [p for p in role.permissions if p != "orders.view"]
    db.session.commit()
    login(testapp, make.contact(company, role="Viewer"))
    for url in ("/orders/", f"/orders/{order.id}"):
        assert testapp.get(url, expect_errors=True).status_int == 403


def test_feature_off_is_404(signed_in_a, make):
    client, a, _ = signed_in_a
    order = make.order(a)
    settings.set_feature("orders", False)
    for url in ("/orders/", f"/orders/{order.id}"):
        assert client.get(url, expect_errors=True).status_int == 404


def test_list_runs_the_same_number_of_queries_for_3_or_20_orders(signed_in_a, make, db, count_queries):
    client, a, _ = signed_in_a

    def count() -> int:
        db.session.expire_all()
        with count_queries() as counter:
            client.get("/orders/")
        return counter.count

    for _ in range(3):
        make.order(a)
    client.get("/orders/")
    few = count()
    for _ in range(17):
        make.order(a)
    many = count()
    assert len(first_column(client.get("/orders/"))) == 20
    assert few == many


def test_who_placed_an_order_names_a_rep_once(testapp, make, login):
    a = make.company(name="Alpha Trading")
    buyer = make.contact(a, role="Buyer", name="Bea Buyer")
    rep = make.rep(allocated=[a], name="Sofia Martens")
    by_rep = make.order(a, placed_by=rep, acting_rep=rep)
    for_buyer = make.order(a, placed_by=buyer, acting_rep=rep)

    login(testapp, make.staff())
    listing = BeautifulSoup(testapp.get("/admin/sales-order/").text, "html.parser")
    cells = {row.select_one("td.col-number").get_text(strip=True): row.select_one("td.col-placed_by")
             .get_text(" ", strip=True) for row in listing.select("table.model-list tr:has(td.col-number)")}
    assert cells[by_rep.number] == "Sofia Martens (sales rep)"
    assert cells[for_buyer.number] == "Bea Buyer (via rep Sofia Martens)"

    testapp.reset()
    login(testapp, buyer)

    def placed_by(order_id):
        page = BeautifulSoup(testapp.get(f"/orders/{order_id}").text, "html.parser")
        return next(dt.find_next("dd").get_text(" ", strip=True) for dt in page.select("dt")
                    if dt.get_text() == "Placed by")

    assert placed_by(by_rep.id) == "Sofia Martens (your sales rep) for Alpha Trading"
    assert placed_by(for_buyer.id) == "Bea Buyer (via Sofia Martens)"
