"""My Orders: search, filters, sorts, next-page paging and the CSV of the filtered list."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from webtest.forms import Form

from portal import settings
from portal.models import OrderStatus, SalesOrderLine
from portal.services import order_search


def numbers(res) -> list[str]:
    return [a.get_text(strip=True) for a in res.html.select("main table tbody td.doc-number a")]


def search(res, **fields):
    """Fill the list's search form of page `res` (as it came, not as a previous search left it) and submit it."""
    form = Form(res, str(res.html.find(id="order-search")))
    for name, value in fields.items():
        form[name] = value
    return form.submit()


def csv_rows(res) -> list[dict]:
    assert res.content_type == "text/csv"
    return list(csv.DictReader(io.StringIO(res.text)))


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def shop(testapp, make, login):
    """Alpha's buyer signed in; Beta has orders that look just like Alpha's."""
    a, b = make.company(name="Alpha Trading"), make.company(name="Beta Builders")
    login(testapp, make.contact(a, role="Buyer", name="Bea Buyer"))
    return testapp, a, b


def test_search_finds_by_number_po_reference_and_any_lines_product(shop, make, db):
    client, a, b = shop
    drill = make.product(sku="DRL-900", name="Hammer drill")
    by_ref = make.order(a, customer_reference="PO-ALPHA-77", placed_dt=at(1))
    by_product = make.order(a, customer_reference="PO-OTHER", placed_dt=at(2))
    by_product.lines.append(SalesOrderLine(product_id=drill.id, description="Hammer drill", quantity=Decimal(1),
                                           unit_price=Decimal(10), line_total=Decimal(10)))
    plain = make.order(a, placed_dt=at(3))
    theirs = make.order(b, customer_reference="PO-ALPHA-77")
    theirs.lines.append(SalesOrderLine(product_id=drill.id, description="Hammer drill", quantity=Decimal(1),
                                       unit_price=Decimal(10), line_total=Decimal(10)))
    db.session.commit()

    page = client.get("/orders/")
    assert numbers(search(page, q=plain.number)) == [plain.number]
    assert numbers(search(page, q="alpha-77")) == [by_ref.number]  # part of it, any case
    assert numbers(search(page, q="drl-9")) == [by_product.number]  # SKU on the second line
    assert numbers(search(page, q="hammer")) == [by_product.number]  # product name
    assert numbers(search(page, q="%")) == []  # a wildcard is a character like any other
    found = search(page, q="PO-")
    assert numbers(found) == [by_product.number, by_ref.number]
    assert theirs.number not in found.text and found.forms["order-search"]["q"].value == "PO-"


def test_status_and_date_range_filter_and_a_bad_date_is_explained(shop, make):
    client, a, _ = shop
    early = make.order(a, placed_dt=at(1, 23))
    middle = make.order(a, placed_dt=at(10), status=OrderStatus.delivered)
    late = make.order(a, placed_dt=at(20, 0))
    page = client.get("/orders/")

    assert numbers(search(page, **{"from": "2026-03-01", "to": "2026-03-10"})) == [middle.number, early.number]
    assert numbers(search(page, **{"from": "2026-03-11"})) == [late.number]
    assert numbers(search(page, to="2026-03-20")) == [late.number, middle.number, early.number]  # whole last day
    assert numbers(search(page, status="delivered")) == [middle.number]

    for bad in ({"from": "2026-02-30"}, {"to": "31/03/2026"}, {"from": "2026-03-12", "to": "2026-03-02"}):
        res = client.get("/orders/", params={**bad, "status": "submitted"}, status=200)
        assert res.html.select_one("[data-testid=date-problem]") is not None, bad
        assert numbers(res) == [late.number, early.number]  # status still applies, dates do not
    assert "must be a date" in client.get("/orders/?from=9999-99-99").text
    assert "is after" in client.get("/orders/?from=2026-03-12&to=2026-03-02").text


def test_sorts_and_hidden_prices_take_the_total_sorts_away(shop, make):
    client, a, _ = shop
    cheap = make.order(a, total="50.00", placed_dt=at(2))
    dear = make.order(a, total="900.00", placed_dt=at(1))
    middle = make.order(a, total="300.00", placed_dt=at(3))
    page = client.get("/orders/")
    assert numbers(page) == [middle.number, cheap.number, dear.number]
    assert numbers(search(page, sort="oldest")) == [dear.number, cheap.number, middle.number]
    assert numbers(search(page, sort="total_desc")) == [dear.number, middle.number, cheap.number]
    assert numbers(search(page, sort="total_asc")) == [cheap.number, middle.number, dear.number]
    assert numbers(search(page, sort="number")) == sorted([cheap.number, dear.number, middle.number])

    settings.save({"prices.hide": True})
    page = client.get("/orders/?sort=total_desc")
    assert numbers(page) == [middle.number, cheap.number, dear.number]  # newest: totals tell nothing
    assert "total_desc" not in [o[0] for o in page.forms["order-search"]["sort"].options]


def test_next_page_link_only_when_there_is_one_and_it_keeps_the_filters(shop, make, monkeypatch):
    client, a, _ = shop
    monkeypatch.setattr(order_search, "PER_PAGE", 3)
    made = [make.order(a, customer_reference=f"JOB-{i}", placed_dt=at(i + 1)) for i in range(3)]
    make.order(a, customer_reference="OTHER", placed_dt=at(9))

    exact = client.get("/orders/?q=JOB")
    assert numbers(exact) == [o.number for o in reversed(made)]
    assert exact.html.select_one("a[rel=next]") is None and exact.html.select_one("nav.pager") is None

    made.append(make.order(a, customer_reference="JOB-3", placed_dt=at(8)))
    first = client.get("/orders/?q=JOB")
    assert len(numbers(first)) == 3 and first.html.select_one("a[rel=prev]") is None
    second = first.click(href="page=2")
    assert "q=JOB" in second.request.url
    assert numbers(second) == [made[0].number] and second.html.select_one("a[rel=next]") is None
    assert numbers(second.click(href="page=1")) == numbers(first)
    past_the_end = client.get("/orders/?q=JOB&page=7")
    assert "There are no more orders." in past_the_end.text
    assert client.get("/orders/?page=-3").status_int == client.get("/orders/?page=x").status_int == 200


def test_a_page_costs_the_same_few_statements_for_3_or_30_orders_and_never_counts(shop, make, db, count_queries):
    client, a, _ = shop
    url = "/orders/?q=SO&status=submitted&from=2020-01-01&sort=total_desc"

    def statements() -> list[str]:
        db.session.expire_all()
        with count_queries() as counter:
            client.get(url)
        return counter.statements

    for _ in range(3):
        make.order(a)
    client.get(url)
    few = statements()
    for _ in range(27):
        make.order(a)
    many = statements()
    assert len(numbers(client.get(url))) == order_search.PER_PAGE
    assert len(few) == len(many) <= 8
    assert not [s for s in many if "count(" in s.lower() and "sales_order" in s]
    listing = [s for s in many if "FROM sales_order" in s]
    assert len(listing) == 1 and "LIMIT" in listing[0]


def test_csv_is_the_whole_filtered_list_in_its_order_and_only_the_companys(shop, make, monkeypatch):
    client, a, b = shop
    monkeypatch.setattr(order_search, "PER_PAGE", 2)
    buyer_orders = [make.order(a, customer_reference=f"PO-{i}", total=f"{100 + i}.00", placed_dt=at(i + 1))
                    for i in range(5)]
    make.order(a, customer_reference="PO-9", status=OrderStatus.cancelled)
    make.order(a, customer_reference="=HYPERLINK(\"http://evil\")", placed_dt=at(1))
    make.order(b, customer_reference="PO-1", placed_dt=at(2))

    page = search(client.get("/orders/"), q="PO-", status="submitted", sort="oldest")
    assert numbers(page) == [o.number for o in buyer_orders[:2]]
    export = page.click(href="export.csv")
    assert "attachment" in export.headers["Content-Disposition"]
    rows = csv_rows(export)
    assert [r["Order"] for r in rows] == [o.number for o in buyer_orders]  # every page, same order
    assert rows[0] == {"Order": buyer_orders[0].number, "Placed": "2026-03-01 12:00", "Your reference": "PO-0",
                      "Status": "Submitted", "Total": "100.00", "Currency": "EUR",
                      "Placed by": ""}

    everything = csv_rows(client.get("/orders/export.csv"))
    assert len(everything) == 7  # all of Alpha's, none of Beta's
    assert "'=HYPERLINK(\"http://evil\")" in [r["Your reference"] for r in everything]


def test_csv_names_who_placed_each_order_and_hides_hidden_prices(shop, make, db):
    client, a, _ = shop
    placer = make.contact(a, role="Buyer", name="Paula Placer")
    make.order(a, placed_by=placer, total="242.00")
    settings.save({"prices.hide": True, "prices.hidden_as": "on_request"})
    (row,) = csv_rows(client.get("/orders/export.csv"))
    assert (row["Placed by"], row["Total"]) == ("Paula Placer", "Price on request")
    assert "Paula Placer" in client.get("/orders/").text


def test_csv_needs_the_orders_permission_and_the_feature(shop, make, db):
    client, a, _ = shop
    make.order(a)
    settings.set_feature("orders", False)
    assert client.get("/orders/export.csv", expect_errors=True).status_int == 404
