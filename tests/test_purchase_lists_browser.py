"""Purchase lists in a real browser at desktop and phone size: a buyer copies a past order to a new list,
changes a quantity (Enter saves), shares the list and puts the ticked lines in the cart. Screenshots
(test-artifacts/screens/lists-*), axe-core, and no sideways scrolling on a phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.purchase_list_helpers import lines_of, lists_of, ordered
from tests.shop_ordering import cart_items, shop_world
from tests.test_browser_accessibility import DESKTOP, PHONE
from tests.test_shop_browser import check, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_buyer_copies_an_order_to_a_list_edits_it_and_orders_from_it(make, db, new_browser_page, size):
    shop = shop_world(make, prices=("12.50", "3.20", "149.00"))
    bolt, nut, drill = shop.products
    order = ordered(shop.company, [(bolt, "20"), (nut, "50"), (drill, "1")])
    failures: list[str] = []
    page = new_browser_page(viewport=DESKTOP if size == "desktop" else PHONE)
    sign_in(page, shop.buyer)

    page.goto(f"/orders/{order.id}")
    page.get_by_text("Add this order's products to a purchase list").click()
    page.get_by_label("Name of a new list").fill("Harbour office refit")
    page.get_by_role("button", name="Add to the list").click()
    expect(page.get_by_role("heading", name="Harbour office refit")).to_be_visible()
    expect(page.locator("#list-lines tbody tr")).to_have_count(3)
    check(page, "lists-detail", size, failures)

    quantity = page.get_by_label(f"Quantity of {nut.name}")
    quantity.fill("60")
    quantity.press("Enter")  # the form's default button saves; it does not move or remove a line
    expect(page.locator(".flash-success")).to_contain_text("Your changes are saved.")
    [plist] = lists_of(shop.company)
    assert [(p, q) for p, q, _ in lines_of(plist)] == [(bolt.id, 20), (nut.id, 60), (drill.id, 1)]

    page.get_by_label("Shared: your colleagues see it and add it to their cart").check()
    page.get_by_role("button", name="Save who sees it").click()
    expect(page.locator("#sharing")).to_contain_text("Shared")

    page.get_by_role("checkbox", name=re.compile(nut.name)).check()
    page.get_by_role("checkbox", name=re.compile(drill.name)).check()
    page.get_by_role("button", name="Put the ticked lines in the cart").click()
    expect(page).to_have_url(re.compile(r"/shop/cart$"))
    assert sorted((i.product_id, i.quantity) for i in cart_items(shop.buyer)) == [(nut.id, 60), (drill.id, 1)]

    page.goto("/lists/")
    check(page, "lists-index", size, failures)
    page.goto("/lists/frequent")
    check(page, "lists-frequent", size, failures)
    assert not failures, "\n".join(failures)
