"""Who may order: Buyer and Admin order; Viewer and Finance see no ordering buttons and get 403.
And the cart and checkout pages read the database a fixed, small number of times."""
from __future__ import annotations

import pytest

from portal.models import OrderStatus
from tests.shop_ordering import add_to_cart, csrf, shop_world

ORDERING = {"Admin": True, "Buyer": True, "Viewer": False, "Finance": False}


@pytest.mark.parametrize("role", list(ORDERING))
def test_ordering_pages_buttons_and_posts_follow_the_role(testapp, make, login, db, role):
    shop = shop_world(make, role=role)
    order = make.order(shop.company, status=OrderStatus.submitted, placed_by=shop.buyer)
    login(testapp, shop.buyer)
    allowed = ORDERING[role]
    expected = 200 if allowed else 403
    for path in ("/shop/cart", "/shop/quick-order", "/shop/checkout"):
        assert testapp.get(path, expect_errors=True).status_int == expected, path
    nav = testapp.get("/dashboard").html.select_one("nav[aria-label=Main]").get_text(" ")
    assert ("Cart" in nav) == allowed
    assert ("Approvals" in nav) == (role == "Admin")
    detail = testapp.get(f"/orders/{order.id}")
    assert ("reorder" in detail.forms) == allowed
    assert ("Ask to cancel" in detail.text) == allowed
    token = csrf(detail)
    posts = {"/shop/cart/add": {"product_id": shop.products[0].id, "quantity": "1"},
             "/shop/cart/update": {"product_id": shop.products[0].id, "quantity": "2"},
             "/shop/cart/remove": {"product_id": shop.products[0].id},
             "/shop/cart/quote": {"note": ""}, "/shop/checkout": {"shipping": shop.shipping_id},
             "/shop/checkout/place": {"shipping": shop.shipping_id, "checkout_key": "k" * 32},
             f"/shop/reorder/{order.id}": {}, f"/shop/orders/{order.id}/cancel": {"reason": "x"}}
    for path, fields in posts.items():
        status = testapp.post(path, {"csrf_token": token, **fields}, expect_errors=True).status_int
        if allowed:
            assert status != 403, path
        else:
            assert status == 403, path
    approval = testapp.get("/shop/approvals", expect_errors=True).status_int
    assert approval == (200 if role == "Admin" else 403)


def _count(client, path, count_queries, db) -> int:
    db.session.expire_all()
    with count_queries() as counter:
        assert client.get(path).status_int == 200
    return counter.count


@pytest.mark.parametrize("path", ["/shop/cart", "/shop/checkout"])
def test_cart_and_checkout_pages_read_the_database_a_fixed_small_number_of_times(testapp, make, login, db,
                                                                                count_queries, path):
    shop = shop_world(make, prices=[f"{n}.00" for n in range(1, 13)])
    login(testapp, shop.buyer)
    for product in shop.products[:2]:
        add_to_cart(testapp, product, "1")
    few = _count(testapp, path, count_queries, db)
    for product in shop.products[2:]:
        add_to_cart(testapp, product, "3")
    many = _count(testapp, path, count_queries, db)
    assert few == many <= 8, (few, many)
