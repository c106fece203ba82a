"""Checkout: details, review with totals and tax, placing one order, credit, price changes, idempotency."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from portal import settings
from portal.models import Address, AuditLog, ContractPrice, OrderStatus, OutboxEmail, Quote, QuoteStatus
from portal.services import clock
from tests.shop_ordering import add_to_cart, cart_items, orders_of, place, reserved, review, shop_world


def test_a_buyer_reviews_and_places_an_order_that_is_numbered_priced_and_reserved(testapp, make, login, db):
    shop = shop_world(make)
    widget, other = shop.products
    login(testapp, shop.buyer)
    add_to_cart(testapp, widget, "3")
    add_to_cart(testapp, other, "2")
    wanted = (clock.today() + timedelta(days=10)).isoformat()
    page = review(testapp, customer_reference="PO-4711", requested_delivery_date=wanted, notes="Dock 4")
    text = page.html.select_one("main").get_text(" ", strip=True)
    assert "Review your order" in text and "PO-4711" in text and "Main Street 1" in text
    assert "€80.00" in text and "€16.80" in text and "€96.80" in text  # 3x10 + 2x25, tax 21%
    done = page.forms["place-order"].submit()
    order = orders_of(shop.company)[0]
    assert done.location.endswith(f"/orders/{order.id}")
    detail = done.follow()
    assert f"your order {order.number} is placed" in detail.text
    assert order.number.startswith("SO-") and order.status == OrderStatus.submitted
    assert (order.subtotal, order.tax_total, order.total) == (Decimal("80.00"), Decimal("16.80"), Decimal("96.80"))
    assert [(ln.description, ln.quantity, ln.unit_price) for ln in order.lines] == [
        ("Widget 1", Decimal(3), Decimal("10.00")), ("Widget 2", Decimal(2), Decimal("25.00"))]
    assert order.customer_reference == "PO-4711" and order.notes == "Dock 4"
    assert order.shipping_address_id == order.billing_address_id == shop.shipping_id
    assert str(order.requested_delivery_date) == wanted and order.placed_by_id == shop.buyer.id
    assert reserved(widget) == Decimal(3) and reserved(other) == Decimal(2)
    assert cart_items(shop.buyer) == []
    assert db.session.execute(select(OutboxEmail).filter_by(kind="order_confirmation")).scalar_one().to_address \
        == shop.buyer.email
    audit = db.session.execute(select(AuditLog).filter_by(action="order.placed")).scalar_one()
    assert audit.actor_id == shop.buyer.id and audit.company_id == shop.company.id


def test_new_delivery_and_billing_addresses_are_saved_to_the_book_with_the_order(testapp, make, login, db):
    shop = shop_world(make)
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[0], "1")
    _page, _done = place(testapp, shipping="new", ns_line1="Harbour 9", ns_city="Rotterdam", ns_postcode="3011 AA",
                       billing="new", nb_line1="Finance Lane 2", nb_city="Delft", nb_country="NL")
    order = orders_of(shop.company)[0]
    assert order.shipping_address.line1 == "Harbour 9" and order.billing_address.line1 == "Finance Lane 2"
    book = db.session.execute(select(Address.line1, Address.kind).where(Address.company_id == shop.company.id)
                              .order_by(Address.id)).all()
    assert [line for line, _ in book] == ["Main Street 1", "Harbour 9", "Finance Lane 2"]


def test_a_bad_new_address_or_a_past_date_is_explained_and_changes_nothing(testapp, make, login, db):
    shop = shop_world(make)
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[0], "1")
    page = review(testapp, shipping="new", ns_line1="", ns_city="Delft")
    assert "New delivery address: Enter the street and number." in page.text
    past = (clock.today() - timedelta(days=1)).isoformat()
    page = review(testapp, requested_delivery_date=past)
    assert "The requested delivery date is in the past." in page.text
    assert orders_of(shop.company) == [] and len(cart_items(shop.buyer)) == 1


def test_a_price_changed_after_the_review_is_shown_again_before_placing(testapp, make, login, db):
    shop = shop_world(make)
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[0], "2")
    page = review(testapp)
    db.session.add(ContractPrice(company_id=shop.company.id, product_id=shop.products[0].id, price=Decimal("9.00"),
                                 currency="EUR"))
    db.session.commit()
    again = page.forms["place-order"].submit()
    assert again.status_int == 200 and orders_of(shop.company) == []
    assert "Your order changed since you reviewed it" in again.text
    assert "Widget 1: was €10.00, now €9.00" in again.text
    again.forms["place-order"].submit()
    assert orders_of(shop.company)[0].lines[0].unit_price == Decimal("9.00")


def test_the_same_checkout_submitted_twice_makes_one_order(testapp, make, login, db):
    shop = shop_world(make)
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[0], "2")
    form = review(testapp).forms["place-order"]
    first = form.submit()
    second = form.submit()  # the browser's retry, same checkout key
    assert first.location == second.location
    assert len(orders_of(shop.company)) == 1 and reserved(shop.products[0]) == Decimal(2)


def test_an_order_past_the_available_credit_is_refused_with_the_figures(testapp, make, login, db):
    shop = shop_world(make, credit_limit=Decimal("100.00"))
    make.invoice(shop.company, total="60.00")
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[1], "2")  # 50 + tax = 60.50 > 40 available
    page = review(testapp)
    text = page.html.select_one("#credit-refused").text
    assert "€60.50" in text and "available credit of €40.00" in text and "credit limit €100.00" in text
    assert "place-order" not in page.forms


def test_staff_can_choose_that_orders_past_credit_wait_for_their_approval(testapp, make, login, db):
    settings.save({"shop.credit_check": "approval"})
    shop = shop_world(make, credit_limit=Decimal("50.00"))
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[1], "2")
    page, done = place(testapp)
    assert "waits for our approval" in page.text
    order = orders_of(shop.company)[0]
    assert (order.status, order.approval_reason) == (OrderStatus.pending_approval, "credit")
    assert "waits for approval" in done.follow().text


def test_a_product_sold_out_meanwhile_is_refused_with_what_is_left(testapp, make, login, db):
    settings.save({"stock.display": "number"})
    shop = shop_world(make, on_hand="5")
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[0], "4")
    page = review(testapp)
    make.order(shop.company)  # someone else's order
    shop.products[0].stock.reserved = Decimal(3)
    db.session.commit()
    refused = page.forms["place-order"].submit()
    assert "Widget 1: only 2 pcs left, you ordered 4." in refused.text
    assert len(orders_of(shop.company)) == 1 and len(cart_items(shop.buyer)) == 1
    cart = testapp.get("/shop/cart")
    assert "Widget 1: only 2 pcs left" in cart.text and cart.html.select_one("a[href='/shop/checkout']") is None


def test_stock_figures_are_told_only_where_the_portal_shows_them(testapp, make, login, db):
    shop = shop_world(make, on_hand="5")  # stock display: in stock / out of stock
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[0], "7")
    cart = testapp.get("/shop/cart").text
    assert "Widget 1: not enough in stock for 7 pcs. Order fewer or request a quote." in cart
    assert "only 5" not in cart


def test_orders_switched_off_remove_the_buttons_and_refuse_the_posts(testapp, make, login, db):
    shop = shop_world(make)
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[0], "1")
    page = review(testapp)
    settings.save({"ordering.allow_orders": False})
    cart = testapp.get("/shop/cart")
    assert cart.html.select_one("a[href='/shop/checkout']") is None
    page.forms["place-order"].submit(status=403)
    assert orders_of(shop.company) == []
    settings.save({"ordering.allow_quote_requests": False})
    assert "Ordering online is switched off" in testapp.get("/shop/cart").text
    add_to_cart(testapp, shop.products[1], "1", status=403)


def test_a_quote_is_requested_from_the_cart_and_staff_price_it(testapp, make, login, db):
    shop = shop_world(make)
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[0], "40")
    form = testapp.get("/shop/cart").forms["request-quote"]
    form["note"] = "Better price for 40?"
    done = form.submit().follow()
    quote = db.session.execute(select(Quote)).scalar_one()
    assert quote.status == QuoteStatus.requested and quote.number is None
    assert quote.introduction == "Better price for 40?" and quote.contact_id == shop.buyer.id
    assert [(ln.quantity, ln.unit_price) for ln in quote.lines] == [(Decimal(40), Decimal("10.00"))]
    assert "Your quote request is sent" in done.text and cart_items(shop.buyer) == []


def test_hidden_prices_stay_hidden_in_cart_checkout_and_email(testapp, make, login, db):
    settings.save({"prices.hide": True, "prices.hidden_as": "on_request"})
    shop = shop_world(make)
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[0], "3")
    assert "€30.00" not in testapp.get("/shop/cart").text
    page, _done = place(testapp)
    assert "€" not in page.html.select_one("main").text and "Price on request" in page.text
    email = db.session.execute(select(OutboxEmail).filter_by(kind="order_confirmation")).scalar_one()
    assert "€" not in email.body_text and "Price on request" in email.body_text


def test_a_reps_order_shows_who_placed_it_for_whom_and_is_audited(testapp, make, login, db):
    shop = shop_world(make)
    rep = make.rep(allocated=[shop.company], name="Rita Rep")
    login(testapp, rep)
    testapp.get("/customers").forms[f"act-{shop.company.id}"].submit()
    add_to_cart(testapp, shop.products[0], "1")
    _page, done = place(testapp)
    order = orders_of(shop.company)[0]
    assert (order.placed_by_id, order.acting_rep_id) == (rep.id, rep.id)
    assert "Rita Rep (your sales rep) for ACME Tools" in done.follow().text
    audit = db.session.execute(select(AuditLog).filter_by(action="order.placed")).scalar_one()
    assert (audit.actor_id, audit.acting_rep_id, audit.company_id) == (rep.id, rep.id, shop.company.id)
    assert db.session.execute(select(func.count(OutboxEmail.id)).filter_by(kind="order_confirmation")).scalar() == 1
