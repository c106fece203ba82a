"""The cart: add, change, remove, minimum and step quantities, hidden products, prices live."""
from __future__ import annotations

from decimal import Decimal

from portal.models import ContractPrice, ProductVisibility
from tests.shop_ordering import add_to_cart, cart_items, csrf, shop_world


def test_a_buyer_adds_changes_and_removes_lines_and_sees_totals_with_tax(testapp, make, login, db):
    shop = shop_world(make)
    login(testapp, shop.buyer)
    widget, other = shop.products
    add_to_cart(testapp, widget, "3")
    add_to_cart(testapp, widget, "2")  # adds to the line
    add_to_cart(testapp, other, "1")
    page = testapp.get("/shop/cart")
    assert [i.quantity for i in cart_items(shop.buyer)] == [Decimal(5), Decimal(1)]
    totals = page.html.select_one("#cart-totals").get_text(" ", strip=True)
    assert "€75.00" in totals and "€15.75" in totals and "€90.75" in totals  # 5x10 + 25, 21% tax

    form = page.forms[f"qty-{widget.id}"]
    form["quantity"] = "7"
    page = form.submit().follow()
    assert "The quantity is changed." in page.text
    assert cart_items(shop.buyer)[0].quantity == Decimal(7)
    page = page.forms[f"remove-{other.id}"].submit().follow()
    assert [i.product_id for i in cart_items(shop.buyer)] == [widget.id]


def test_minimum_and_steps_are_explained_and_change_nothing(testapp, make, login, db):
    shop = shop_world(make)
    widget = shop.products[0]
    widget.min_order_qty, widget.order_increment, widget.unit = Decimal(10), Decimal(5), "pcs"
    db.session.commit()
    login(testapp, shop.buyer)
    page = add_to_cart(testapp, widget, "4").follow()
    assert "Widget 1: the minimum order is 10 pcs." in page.text
    page = add_to_cart(testapp, widget, "12").follow()
    assert "Widget 1 is sold in steps of 5 pcs from 10: order 10 or 15." in page.text
    page = add_to_cart(testapp, widget, "lots").follow()
    assert "is not a quantity" in page.text
    assert cart_items(shop.buyer) == []
    add_to_cart(testapp, widget, "15")
    assert cart_items(shop.buyer)[0].quantity == Decimal(15)


def test_a_product_the_company_may_not_see_is_404_in_the_cart(testapp, make, login, db):
    shop = shop_world(make)
    hidden, restricted = shop.products
    hidden.visibility = ProductVisibility.hidden
    restricted.visibility = ProductVisibility.restricted
    db.session.commit()
    login(testapp, shop.buyer)
    add_to_cart(testapp, hidden, "1", status=404)
    add_to_cart(testapp, restricted, "1", status=404)
    page = testapp.get("/shop/cart")
    testapp.post("/shop/cart/add", {"csrf_token": csrf(page), "product_id": "999999", "quantity": "1"}, status=404)
    testapp.post("/shop/cart/add", {"csrf_token": csrf(page), "product_id": "x", "quantity": "1"}, status=404)
    assert cart_items(shop.buyer) == []


def test_a_line_whose_product_became_hidden_is_reported_and_blocks_checkout(testapp, make, login, db):
    shop = shop_world(make)
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[0], "1")
    shop.products[0].visibility = ProductVisibility.hidden
    db.session.commit()
    page = testapp.get("/shop/cart")
    assert "Widget 1 is no longer available. Remove it to continue." in page.text
    assert page.html.select_one("a[href='/shop/checkout']") is None


def test_a_price_changed_since_adding_is_pointed_out(testapp, make, login, db):
    shop = shop_world(make)
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[0], "2")
    db.session.add(ContractPrice(company_id=shop.company.id, product_id=shop.products[0].id, price=Decimal("8.00"),
                                 currency="EUR"))
    db.session.commit()
    page = testapp.get("/shop/cart")
    assert "Price changed: was €10.00, now €8.00." in page.text


def test_a_reps_cart_is_per_customer_it_acts_for(testapp, make, login, db):
    shop = shop_world(make)
    other = make.company(name="Bolt Fasteners")
    rep = make.rep(allocated=[shop.company, other], name="Rita Rep")
    login(testapp, rep)
    testapp.get("/customers").forms[f"act-{shop.company.id}"].submit()
    add_to_cart(testapp, shop.products[0], "2")
    testapp.get("/customers").forms[f"act-{other.id}"].submit()
    assert "Your cart is empty" in testapp.get("/shop/cart").text
    assert [(i.company_id, i.quantity) for i in cart_items(rep)] == [(shop.company.id, Decimal(2))]
