"""Return requests on the customer side (over HTTP) and the rules behind them (services): quantities, the
return window, reasons, who may request, other companies' orders, the order of staff steps, one credit note."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from portal import settings
from portal.models import (
    AuditLog,
    CreditNote,
    PortalEvent,
    ReturnRequest,
    ReturnStatus,
)
from portal.services import return_handling, returns
from portal.services.actor import Actor
from portal.services.returns import LineChoice, ReturnError
from tests.return_helpers import delivered_order, request_form, return_count
from tests.ticket_helpers import flashes


@pytest.fixture
def acme(make):
    return make.company(name="ACME Tools")


@pytest.fixture
def buyer(make, acme):
    return make.contact(acme, role="Buyer", name="Bea Buyer", email="bea@acme.example")


@pytest.fixture
def client(testapp, login, buyer):
    login(testapp, buyer)
    return testapp


def ask(order, by, *wanted) -> ReturnRequest:
    """A return through the service: wanted are (order line, quantity[, reason])."""
    return returns.request_return(order, [LineChoice(line.id, qty, *(rest or ("damaged",))) for line, qty, *rest
                                          in wanted], by=Actor.of(by))


def test_a_buyer_requests_a_return_from_the_orders_page(db, client, make, acme, buyer):
    order = delivered_order(make, acme)
    first, second = order.lines
    page = client.get(f"/orders/{order.id}").click("Request a return")
    assert f"Return items of order {order.number}" in page.text
    res = request_form(client, order, {first: ("2", "damaged"), second: ("1", "other", "Colour differs from the photo")},
                       note="Box was wet.")
    assert res.status_int == 302, flashes(res)
    page = res.follow()
    made = db.session.execute(select(ReturnRequest)).scalar_one()
    assert made.number.startswith("RMA-") and made.number in flashes(page)
    assert (made.status, made.requested_by_id, made.reason) == (ReturnStatus.requested, buyer.id, "Box was wet.")
    assert [(line.order_line_id, line.quantity, line.reason_code, line.reason) for line in made.lines] == [
        (first.id, Decimal(2), "damaged", ""), (second.id, Decimal(1), "other", "Colour differs from the photo")]
    assert "Colour differs from the photo" in page.text and "We are looking at your request" in page.text
    assert made.number in client.get("/returns/").text
    assert db.session.execute(select(AuditLog).where(AuditLog.action == "return.requested")).scalar_one()
    assert db.session.execute(select(PortalEvent).where(PortalEvent.kind == "return_requested")).scalar_one()


def test_the_new_request_page_offers_only_returnable_orders(db, client, make, acme):
    fresh = delivered_order(make, acme, days_ago=2)
    old = delivered_order(make, acme, days_ago=40)
    open_order = make.order(acme)
    page = client.get("/returns/new")
    assert fresh.number in page.text and old.number not in page.text and open_order.number not in page.text
    assert f"Return items of order {fresh.number}" in page.click("Choose").text


def test_more_than_delivered_less_returned_is_refused_and_saves_nothing(db, client, make, acme, buyer):
    order = delivered_order(make, acme)
    first = order.lines[0]  # 4 delivered
    ask(order, buyer, (first, "3"))
    db.session.commit()
    res = request_form(client, order, {first: ("2", "damaged")}, status=400)
    assert "At most 1 of Widget 1 can still be returned" in flashes(res)
    assert "Nothing was sent." in flashes(res)
    assert res.html.select_one(f"#qty-{first.id}")["value"] == "2"  # what was typed stays
    assert return_count(db) == 1


def test_a_rejected_return_gives_the_quantity_back_and_a_received_one_counts_what_came(db, make, acme, buyer):
    order = delivered_order(make, acme)
    first = order.lines[0]
    staff = make.staff()
    rejected = ask(order, buyer, (first, "4"))
    return_handling.reject(rejected, "Not our product.", staff=staff)
    partly = ask(order, buyer, (first, "3"))
    return_handling.approve(partly, "Send it back.", staff=staff)
    return_handling.receive(partly, {partly.lines[0].id: "1"}, staff=staff)
    assert returns.returnable_lines(order)[0].remaining == Decimal(3)
    with pytest.raises(ReturnError, match="At most 3 of Widget 1"):
        ask(order, buyer, (first, "4"))


@pytest.mark.parametrize("wanted, message", [
    ({0: ("", "damaged")}, "Enter a quantity to return for at least one line."),
    ({0: ("1", "")}, "Choose why Widget 1 comes back."),
    ({0: ("1", "other")}, "Say why Widget 1 comes back."),
    ({0: ("-1", "damaged")}, "as a number of 0 or more"),
    ({0: ("lots", "damaged")}, "Enter the quantity of Widget 1 as a number."),
])
def test_bad_lines_are_a_clear_message(db, client, make, acme, wanted, message):
    order = delivered_order(make, acme)
    res = request_form(client, order, {order.lines[i]: v for i, v in wanted.items()}, status=400)
    assert message in flashes(res)
    assert return_count(db) == 0


def test_the_return_window_is_enforced_with_a_clear_message(db, client, make, acme):
    settings.save({"returns.window_days": 14})
    db.session.commit()
    order = delivered_order(make, acme, days_ago=15)
    page = client.get(f"/orders/{order.id}")
    assert "Request a return" not in page.text
    page = client.get(f"/returns/new?order={order.id}").follow()
    assert "returns are accepted within 14 days of delivery" in flashes(page)
    assert page.request.path == f"/orders/{order.id}"
    # a form opened in time and sent too late
    inside = delivered_order(make, acme, days_ago=13)
    form = client.get(f"/returns/new?order={inside.id}").forms["new-return"]
    form[f"qty-{inside.lines[0].id}"], form[f"reason-{inside.lines[0].id}"] = "1", "damaged"
    settings.save({"returns.window_days": 10})
    db.session.commit()
    res = form.submit(status=400)
    assert "The return window for order" in flashes(res) and "closed on" in flashes(res)
    assert return_count(db) == 0


def test_an_order_not_delivered_cannot_be_returned(db, client, make, acme, buyer):
    order = make.order(acme)
    assert "Request a return" not in client.get(f"/orders/{order.id}").text
    assert "is not delivered yet" in flashes(client.get(f"/returns/new?order={order.id}").follow())
    with pytest.raises(ReturnError, match="not delivered yet"):
        returns.request_return(order, [], by=Actor.of(buyer))


def csrf_token(page) -> str:
    return page.html.select_one("input[name=csrf_token]")["value"]


def test_viewers_and_finance_see_returns_but_cannot_request(db, testapp, login, make, acme, buyer):
    order = delivered_order(make, acme)
    made = ask(order, buyer, (order.lines[0], "1"))
    db.session.commit()
    line = order.lines[0].id
    for role in ("Viewer", "Finance"):
        testapp.reset()
        login(testapp, make.contact(acme, role=role))
        listing = testapp.get("/returns/")
        assert made.number in listing.text and "New return request" not in listing.text
        testapp.get(f"/returns/{made.id}", status=200)
        assert "Request a return" not in testapp.get(f"/orders/{order.id}").text
        testapp.get(f"/returns/new?order={order.id}", status=403)
        testapp.post("/returns/new", {"csrf_token": csrf_token(listing), "order_id": order.id,
                                      f"qty-{line}": "1", f"reason-{line}": "damaged"}, status=403)
    assert return_count(db) == 1


def test_another_companys_order_and_return_are_not_found(db, client, make, acme):
    other = make.company(name="Other Co")
    order = delivered_order(make, other)
    made = ask(order, make.contact(other, role="Buyer"), (order.lines[0], "1"))
    db.session.commit()
    client.get(f"/returns/new?order={order.id}", status=404)
    client.get(f"/returns/{made.id}", status=404)
    client.get(f"/returns/{made.id}/slip.pdf", status=404)
    assert made.number not in client.get("/returns/").text
    own = delivered_order(make, acme)
    form = client.get(f"/returns/new?order={own.id}").forms["new-return"]
    form[f"qty-{own.lines[0].id}"], form[f"reason-{own.lines[0].id}"] = "1", "damaged"
    form["order_id"].force_value(order.id)  # a forged request for the other company's order
    form.submit(status=404)
    assert return_count(db) == 1


def test_a_guest_is_sent_to_sign_in(db, testapp):
    res = testapp.get("/returns/new", status=302)
    assert "/login" in res.location and "next=" in res.location


@pytest.mark.parametrize("steps, refused", [
    (("receive",), "only an approved return is received"),
    (("approve", "reject"), "it cannot be rejected now"),
    (("reject", "approve"), "it cannot be approved now"),
    (("approve", "credit"), "only a received return is credited"),
])
def test_staff_steps_only_in_their_order(db, make, acme, buyer, steps, refused):
    order = delivered_order(make, acme)
    made = ask(order, buyer, (order.lines[0], "1"))
    staff = make.staff()
    do = {"approve": lambda: return_handling.approve(made, "Send it.", staff=staff),
          "reject": lambda: return_handling.reject(made, "No.", staff=staff),
          "receive": lambda: return_handling.receive(made, {}, staff=staff),
          "credit": lambda: return_handling.credit(made, staff=staff)}
    for step in steps[:-1]:
        do[step]()
    status = made.status
    with pytest.raises(ReturnError, match=refused):
        do[steps[-1]]()
    assert made.status == status


def test_the_credit_note_is_made_from_the_received_lines_once(db, make, acme, buyer):
    order = delivered_order(make, acme)  # 4 x 25.00 and 2 x 10.00, 21% tax
    first, second = order.lines
    made = ask(order, buyer, (first, "2"), (second, "2"))
    staff = make.staff()
    return_handling.approve(made, "Send it.", staff=staff)
    return_handling.receive(made, {made.lines[0].id: "1", made.lines[1].id: "0"}, staff=staff)
    note = return_handling.credit(made, staff=staff)
    assert [(line.description, line.quantity) for line in note.lines] == [("Widget 1", Decimal(1))]
    assert (note.subtotal, note.total, note.company_id) == (Decimal("25.00"), Decimal("30.25"), acme.id)
    assert made.status == ReturnStatus.credited and made.credit_note_id == note.id
    with pytest.raises(ReturnError, match="only a received return is credited, once"):
        return_handling.credit(made, staff=staff)
    assert len(db.session.execute(select(CreditNote)).scalars().all()) == 1


def test_switched_off_the_pages_answer_404_and_the_link_goes(db, client, make, acme):
    order = delivered_order(make, acme)
    settings.set_feature("returns", False)
    db.session.commit()
    client.get("/returns/", status=404)
    client.get(f"/returns/new?order={order.id}", status=404)
    assert "Request a return" not in client.get(f"/orders/{order.id}").text


def test_the_dashboard_counts_returns_in_progress(db, client, make, acme, buyer):
    order = delivered_order(make, acme)
    assert "Returns in progress" not in client.get("/dashboard").text
    ask(order, buyer, (order.lines[0], "1"))
    return_handling.reject(ask(order, buyer, (order.lines[1], "1")), "No.", staff=make.staff())
    db.session.commit()
    assert client.get("/dashboard").html.select_one("[data-testid=open-returns]").get_text() == "1"
