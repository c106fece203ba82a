"""Quick order (paste or CSV), reorder a past order, ask to cancel a placed order."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from webtest import Upload

from portal.models import AuditLog, OrderStatus, OutboxEmail, ProductVisibility, SalesOrder, SalesOrderLine
from tests.shop_ordering import cart_items, csrf, shop_world


def _quick(client, text="", upload=None):
    form = client.get("/shop/quick-order").forms["quick-order"]
    form["lines"] = text
    if upload is not None:
        form["file"] = upload
    return form.submit(expect_errors=True)


def test_pasted_lines_go_to_the_cart_and_every_bad_line_is_reported(testapp, make, login, db):
    shop = shop_world(make)
    widget, other = shop.products
    hidden = make.product(sku="SECRET-1", name="Secret", visibility=ProductVisibility.hidden)
    other.min_order_qty = Decimal(10)
    db.session.commit()
    login(testapp, shop.buyer)
    text = "\n".join([f"{widget.sku} 12", "", "NOPE-1 3", f"{hidden.sku} 1", f"{widget.sku.lower()};abc",
                      f"{other.sku}\t4", f"{other.sku},10"])
    page = _quick(testapp, text)
    problems = [li.get_text(" ", strip=True) for li in page.html.select("#quick-order-problems li")]
    assert problems == [
        "Line 3: “NOPE-1”: no product with this SKU.",
        "Line 4: “SECRET-1”: no product with this SKU.",  # hidden: reported like an unknown SKU
        f"Line 5: {widget.sku}: “abc” is not a quantity: enter a number, e.g. 12.",
        f"Line 6: {other.sku}: Widget 2: the minimum order is 10 pcs.",
    ]
    assert "2 product(s) added to your cart" in page.text
    assert page.forms["quick-order"]["lines"].value.splitlines() == text.splitlines()[2:6]  # the lines to correct
    assert [(i.product_id, i.quantity) for i in cart_items(shop.buyer)] == [(widget.id, 12), (other.id, 10)]


def test_a_csv_file_is_read_with_its_header_and_all_good_lines_lead_to_the_cart(testapp, make, login, db):
    shop = shop_world(make)
    login(testapp, shop.buyer)
    data = f"SKU;Quantity\n{shop.products[0].sku};5\n{shop.products[1].sku};2\n".encode()
    done = _quick(testapp, upload=Upload("order.csv", data, "text/csv"))
    assert done.status_int == 302 and done.follow().text.count("2 product(s) added to your cart.") == 1
    assert [i.quantity for i in cart_items(shop.buyer)] == [5, 2]
    page = _quick(testapp, upload=Upload("order.csv", b"\xff\xfe\x00garbage", "text/csv"))
    assert page.status_int == 400 and "not a text (CSV) file" in page.text
    assert _quick(testapp, "   ").status_int == 400


def _past_order(make, shop, db):
    order = make.order(shop.company, status=OrderStatus.delivered, placed_by=shop.buyer)
    order.lines.clear()
    widget, other = shop.products
    gone = make.product(sku="GONE-1", name="Old widget", visibility=ProductVisibility.hidden)
    for product, qty, price in ((widget, 4, "7.00"), (other, 1, "20.00"), (gone, 2, "1.00")):
        order.lines.append(SalesOrderLine(product_id=product.id, description=product.name, quantity=Decimal(qty),
                                          unit_price=Decimal(price), line_total=Decimal(price) * qty))
    order.lines.append(SalesOrderLine(description="Delivery", quantity=1, unit_price=Decimal(5), line_total=5))
    db.session.commit()
    return order


def test_reorder_puts_a_past_order_in_the_cart_at_todays_prices_and_reports_the_rest(testapp, make, login, db):
    shop = shop_world(make)
    order = _past_order(make, shop, db)
    login(testapp, shop.buyer)
    detail = testapp.get(f"/orders/{order.id}")
    cart = detail.forms["reorder"].submit().follow()
    assert f"2 product(s) of order {order.number} are in your cart at today's prices." in cart.html.text
    assert "Not added: Old widget: no longer available." in cart.text
    assert "Not added: Delivery: no longer available." in cart.text
    assert [(i.quantity, i.seen_price) for i in cart_items(shop.buyer)] == [(4, Decimal("10.00")),
                                                                            (1, Decimal("25.00"))]


def test_reorder_and_cancel_are_absent_for_viewers_and_refused_when_posted(testapp, make, login, db):
    shop = shop_world(make)
    order = _past_order(make, shop, db)
    order.status = OrderStatus.submitted
    db.session.commit()
    viewer = make.contact(shop.company, role="Viewer", email="vic@acme.example")
    login(testapp, viewer)
    detail = testapp.get(f"/orders/{order.id}")
    assert "reorder" not in detail.forms and "Ask to cancel" not in detail.text
    testapp.post(f"/shop/reorder/{order.id}", {"csrf_token": csrf(detail)}, status=403)
    testapp.post(f"/shop/orders/{order.id}/cancel", {"csrf_token": csrf(detail), "reason": "x"}, status=403)
    assert cart_items(viewer) == []


def test_a_placed_order_cannot_be_edited_but_its_cancellation_can_be_asked_until_confirmed(testapp, make, login, db):
    shop = shop_world(make)
    order = make.order(shop.company, status=OrderStatus.submitted, placed_by=shop.buyer)
    confirmed = make.order(shop.company, status=OrderStatus.confirmed, placed_by=shop.buyer)
    login(testapp, shop.buyer)
    detail = testapp.get(f"/orders/{order.id}")
    assert not any(f.method.lower() == "post" and "edit" in (f.action or "") for f in detail.forms.values())
    form = next(f for f in detail.forms.values() if f.action.endswith(f"/shop/orders/{order.id}/cancel"))
    form["reason"] = "Ordered twice by mistake."
    page = form.submit().follow()
    assert f"We received your request to cancel order {order.number}" in page.text
    assert "You asked to cancel this order on" in page.text and "Ask to cancel" not in page.text
    db.session.expire_all()
    saved = db.session.get(SalesOrder, order.id)
    assert saved.cancel_reason == "Ordered twice by mistake." and saved.cancel_requested_dt is not None
    assert saved.status == OrderStatus.submitted  # staff decide
    assert db.session.execute(select(AuditLog).filter_by(action="order.cancel_requested")).scalar_one()
    confirmed_page = testapp.get(f"/orders/{confirmed.id}")
    assert "Ask to cancel" not in confirmed_page.text
    testapp.post(f"/shop/orders/{confirmed.id}/cancel", {"csrf_token": csrf(confirmed_page), "reason": "late"})
    assert db.session.get(SalesOrder, confirmed.id).cancel_requested_dt is None
    assert db.session.execute(select(OutboxEmail).filter_by(kind="staff_notice")).first() is None  # no route set


def test_staff_see_cancel_requests_in_the_back_office(testapp, make, login, db):
    shop = shop_world(make)
    order = make.order(shop.company, status=OrderStatus.submitted, placed_by=shop.buyer,
                       cancel_reason="Wrong size")
    order.cancel_requested_dt = order.placed_dt
    make.order(shop.company, status=OrderStatus.submitted)
    db.session.commit()
    login(testapp, make.staff())
    listing = testapp.get("/admin/cancel-request/")
    assert order.number in listing.text and "Wrong size" in listing.text
    assert listing.text.count("SO-") == 1


def test_a_long_quick_order_reads_the_database_as_often_as_a_short_one(testapp, make, login, db, count_queries):
    shop = shop_world(make, prices=[f"{n}.00" for n in range(1, 31)])
    login(testapp, shop.buyer)
    testapp.get("/shop/")  # the category tree is kept per catalog revision: read once, before either is counted
    counts = []
    for products in (shop.products[:3], shop.products[3:]):
        form = testapp.get("/shop/quick-order").forms["quick-order"]
        form["lines"] = "\n".join(f"{p.sku} 2" for p in products)
        db.session.expire_all()
        with count_queries() as counter:
            assert form.submit().status_int == 302
        # Cart lines and audit rows are inserted per line (batched on PostgreSQL); everything else is fixed.
        counts.append(sum(1 for st in counter.statements if not st.lstrip().upper().startswith("INSERT")))
    assert counts[0] == counts[1], counts
    assert len(cart_items(shop.buyer)) == 30
