"""Shipments feature: the customer's shipments, their tracking timeline, and shipments on the order page."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from portal import settings
from portal.blueprints.shipments import services
from portal.models import Shipment, ShipmentStatus


def first_column(res) -> list[str]:
    table = BeautifulSoup(res.text, "html.parser").select_one("main table tbody")
    return [row.select_one("td").get_text(strip=True) for row in table.select("tr")] if table else []


def take_permission_away(db, make, role: str, permission: str) -> None:
    row = make.role(role)
    assert permission in row.permissions
    row.permissions = [p for p in row.permissions if p != permission]
    db.session.commit()


@pytest.fixture
def signed_in_a(testapp, make, login):
    a, b = make.company(name="Alpha Trading"), make.company(name="Beta Builders")
    login(testapp, make.contact(a, role="Buyer"))
    return testapp, a, b


def at(hours_ago: int) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours_ago)


# --- services ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, expected", [
    ("https://track.example.com/?id=JD1", "https://track.example.com/?id=JD1"),
    ("http://carrier.example/t/1", "http://carrier.example/t/1"),
    ("javascript:alert(1)", None),
    ("data:text/html,<script>alert(1)</script>", None),
    ("//evil.example/x", None),
    ("", None),
    (None, None),
])
def test_tracking_link_only_for_web_addresses(url, expected):
    assert services.tracking_link(Shipment(tracking_url=url)) == expected


def test_carrier_label_names_the_carrier():
    assert services.carrier_label(Shipment(carrier="DHL")) == "Track with DHL"
    assert services.carrier_label(Shipment(carrier=None)) == "Track this shipment"


def test_timeline_is_newest_first(db, make):
    shipment = make.shipment(make.company())
    picked = make.shipment_event(shipment, "Picked up", occurred_dt=at(30))
    delivered = make.shipment_event(shipment, "Delivered", occurred_dt=at(1))
    hub = make.shipment_event(shipment, "At hub", occurred_dt=at(10))
    db.session.expire_all()
    assert [e.id for e in services.timeline(db.session.get(Shipment, shipment.id))] == [
        delivered.id, hub.id, picked.id]


# --- pages ---------------------------------------------------------------------------------------

def test_contact_sees_own_shipments_and_not_another_companys(signed_in_a, make):
    client, a, b = signed_in_a
    order = make.order(a)
    mine = make.shipment(a, order, tracking_number="JD-MINE", shipped_dt=at(5))
    theirs = make.shipment(b, make.order(b), tracking_number="JD-THEIRS")

    res = client.get("/shipments/")
    assert first_column(res) == [mine.number]
    assert "JD-MINE" in res.text and order.number in res.text and "DHL" in res.text
    assert theirs.number not in res.text and "JD-THEIRS" not in res.text

    res = res.click(mine.number)
    assert f"Shipment {mine.number}" in res.text
    assert client.get(f"/shipments/{theirs.id}", expect_errors=True).status_int == 404


def test_list_is_newest_first_and_paginates(signed_in_a, make):
    client, a, _ = signed_in_a
    made = [make.shipment(a, created_dt=at(100 - i)) for i in range(27)]
    expected = [s.number for s in reversed(made)]
    res = client.get("/shipments/")
    assert first_column(res) == expected[:25]
    assert first_column(res.click("Older")) == expected[25:]


def test_empty_state(signed_in_a):
    client, _, _ = signed_in_a
    assert "You have no shipments yet." in client.get("/shipments/").text


def test_detail_shows_the_timeline_newest_first(signed_in_a, make):
    client, a, _ = signed_in_a
    shipment = make.shipment(a, make.order(a))
    make.shipment_event(shipment, "Picked up", occurred_dt=at(30), location="Utrecht")
    make.shipment_event(shipment, "Delivered", occurred_dt=at(1), description="Signed by J. Smit")
    make.shipment_event(shipment, "At hub", occurred_dt=at(10), location="Venlo")

    res = client.get(f"/shipments/{shipment.id}")
    steps = [li.select_one("strong").get_text() for li in BeautifulSoup(res.text, "html.parser").select(".timeline li")]
    assert steps == ["Delivered", "At hub", "Picked up"]
    assert "Venlo" in res.text and "Signed by J. Smit" in res.text


def test_detail_without_events_says_so(signed_in_a, make):
    client, a, _ = signed_in_a
    shipment = make.shipment(a, status=ShipmentStatus.preparing)
    assert "No tracking updates yet." in client.get(f"/shipments/{shipment.id}").text


def test_track_with_carrier_link_opens_safely_in_a_new_tab(signed_in_a, make):
    client, a, _ = signed_in_a
    shipment = make.shipment(a, tracking_url="https://track.example.com/?id=JD0001")
    page = BeautifulSoup(client.get(f"/shipments/{shipment.id}").text, "html.parser")
    link = page.find("a", href="https://track.example.com/?id=JD0001")
    assert link is not None and "Track with DHL" in link.get_text()
    assert link["target"] == "_blank"
    assert set(link["rel"]) == {"noopener", "noreferrer"}


def test_no_track_link_without_a_safe_tracking_url(signed_in_a, make):
    client, a, _ = signed_in_a
    plain = make.shipment(a)
    sneaky = make.shipment(a, tracking_url="javascript:alert(1)")
    assert "Track with" not in client.get(f"/shipments/{plain.id}").text
    res = client.get(f"/shipments/{sneaky.id}")
    assert "Track with" not in res.text and "javascript:alert" not in res.text


# --- shipments on the order page -----------------------------------------------------------------

def test_order_page_lists_its_shipments(signed_in_a, make):
    client, a, _ = signed_in_a
    order = make.order(a)
    first = make.shipment(a, order, tracking_number="PART-1")
    second = make.shipment(a, order, tracking_number="PART-2")
    other_order = make.shipment(a, make.order(a), tracking_number="OTHER")

    res = client.get(f"/orders/{order.id}")
    assert "PART-1" in res.text and "PART-2" in res.text and "OTHER" not in res.text
    # the shipments table's link (the deal timeline above it links the shipment too)
    assert res.click(second.number, index=1).request.path == f"/shipments/{second.id}"
    assert first.number in res.text and other_order.number not in res.text


def test_order_page_hides_shipments_when_the_feature_is_off(signed_in_a, make):
    client, a, _ = signed_in_a
    order = make.order(a)
    shipment = make.shipment(a, order)
    settings.set_feature("shipments", False)
    res = client.get(f"/orders/{order.id}")
    assert res.status_int == 200
    assert shipment.number not in res.text and "Shipments" not in res.text


def test_order_page_hides_shipments_from_a_role_without_the_permission(testapp, make, login, db):
    company = make.company()
    order = make.order(company)
    shipment = make.shipment(company, order)
    take_permission_away(db, make, "Viewer", "shipments.view")
    login(testapp, make.contact(company, role="Viewer"))
    res = testapp.get(f"/orders/{order.id}")
    assert shipment.number not in res.text and "Shipments" not in res.text


def test_order_page_of_an_unshipped_order_says_so(signed_in_a, make):
    client, a, _ = signed_in_a
    order = make.order(a)
    assert "Nothing has shipped for this order yet." in client.get(f"/orders/{order.id}").text


# --- who may see them ----------------------------------------------------------------------------

def test_viewer_sees_shipments(testapp, make, login):
    company = make.company()
    shipment = make.shipment(company)
    login(testapp, make.contact(company, role="Viewer"))
    assert shipment.number in testapp.get("/shipments/").text
    assert testapp.get(f"/shipments/{shipment.id}").status_int == 200


def test_role_without_the_view_permission_gets_403(testapp, make, login, db):
    company = make.company()
    shipment = make.shipment(company)
    take_permission_away(db, make, "Buyer", "shipments.view")
    res = login(testapp, make.contact(company, role="Buyer"))
    assert 'href="/shipments/"' not in res.text
    for url in ("/shipments/", f"/shipments/{shipment.id}"):
        assert testapp.get(url, expect_errors=True).status_int == 403


@pytest.mark.parametrize("feature", ["shipments", "orders"])
def test_pages_are_404_when_the_feature_or_its_requirement_is_off(signed_in_a, make, feature):
    client, a, _ = signed_in_a
    shipment = make.shipment(a)
    settings.set_feature(feature, False)
    for url in ("/shipments/", f"/shipments/{shipment.id}"):
        assert client.get(url, expect_errors=True).status_int == 404
    assert 'href="/shipments/"' not in client.get("/dashboard").text


# --- performance ---------------------------------------------------------------------------------

def _queries_for(client, db, count_queries, url) -> int:
    db.session.expire_all()
    with count_queries() as counter:
        client.get(url)
    return counter.count


def test_list_runs_the_same_number_of_queries_for_3_or_20_shipments(signed_in_a, make, db, count_queries):
    client, a, _ = signed_in_a

    def add(n):
        for _ in range(n):
            make.shipment(a, make.order(a))

    add(3)
    client.get("/shipments/")
    few = _queries_for(client, db, count_queries, "/shipments/")
    add(17)
    many = _queries_for(client, db, count_queries, "/shipments/")
    assert len(first_column(client.get("/shipments/"))) == 20
    assert few == many


def test_tracking_steps_read_as_words_not_codes(signed_in_a, make):
    client, a, _ = signed_in_a
    shipment = make.shipment(a, make.order(a))
    make.shipment_event(shipment, "in_transit", occurred_dt=at(10), location="Venlo")
    make.shipment_event(shipment, "Arrived at DHL hub", occurred_dt=at(5))  # typed by staff: shown as typed

    res = client.get(f"/shipments/{shipment.id}")
    steps = [li.select_one("strong").get_text() for li in BeautifulSoup(res.text, "html.parser").select(".timeline li")]
    assert steps == ["Arrived at DHL hub", "In transit"]
    assert "in_transit" not in res.text
