"""The shop's ordering in a real browser (Playwright + system Chromium) against the live server:
a buyer quick-orders, checks out and the order waits for the approval the customer's Admin gives;
a rep orders for a customer. Screenshots at 1280x900 and 390x844 (test-artifacts/screens/shop-*), and
axe-core finds no serious or critical WCAG 2.1 A/AA violation on the ordering pages, filled in."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.models import OrderStatus
from tests.conftest import PASSWORD
from tests.fixtures_browser import save_screenshot
from tests.shop_ordering import orders_of, shop_world
from tests.test_browser_accessibility import DESKTOP, FAILING, PHONE, axe_source, describe, run_axe

pytestmark = pytest.mark.browser


def sign_in(page, user) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    expect(page).not_to_have_url(re.compile(r"/login"))


def check(page, name: str, size: str, failures: list) -> None:
    """Screenshot, axe-core, and nothing wider than the screen (no sideways scrolling on a phone)."""
    save_screenshot(page, f"shop-{name}-{size}")
    failures += describe([v for v in run_axe(page, axe_source()) if v["impact"] in FAILING], f"{name} ({size})")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        failures.append(f"{name} ({size}): the page is {overflow}px wider than the screen")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_buyer_quick_orders_checks_out_and_the_admin_approves(make, db, new_browser_page, size):
    viewport = DESKTOP if size == "desktop" else PHONE
    shop = shop_world(make, approval_for_buyers=True, prices=("12.50", "3.20", "149.00"))
    admin = make.contact(shop.company, role="Admin", name="Ada Admin", email="ada@acme.example")
    bolt, nut, drill = shop.products
    failures: list[str] = []

    page = new_browser_page(viewport=viewport)
    sign_in(page, shop.buyer)
    page.goto("/shop/cart")
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    page.get_by_role("link", name="Quick order").click()
    page.get_by_label("SKU and quantity, one product per line").fill(
        f"{bolt.sku} 20\n{nut.sku} 50\nNOPE-9 1\n{drill.sku} 1")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#quick-order-problems")).to_contain_text("Line 3: “NOPE-9”: no product with this SKU.")
    check(page, "quick-order", size, failures)
    page.get_by_role("link", name="Go to your cart").click()
    expect(page.locator("#cart-lines tbody tr")).to_have_count(3)
    page.get_by_label(f"Quantity of {nut.name}").fill("40")
    page.get_by_role("button", name=f"Update the quantity of {nut.name}").click()
    expect(page.get_by_text("The quantity is changed.")).to_be_visible()
    check(page, "cart", size, failures)

    page.get_by_role("link", name="Check out").click()
    page.get_by_label("Your reference (PO number)").fill("PO-2231")
    page.get_by_label("Notes (optional)").fill("Deliver to the back door.")
    check(page, "checkout", size, failures)
    page.get_by_role("button", name="Review order").click()
    expect(page.get_by_role("heading", name="Review your order")).to_be_visible()
    expect(page.locator("#customer-approval")).to_be_visible()
    expect(page.locator("#cart-totals")).to_contain_text("€637.67")  # (250 + 128 + 149) x 1.21
    check(page, "checkout-review", size, failures)
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_text(re.compile(r"Your order SO-\d{4}-\d{4} is placed and waits for approval"))).to_be_visible()
    order = orders_of(shop.company)[0]
    assert order.status == OrderStatus.pending_approval and order.customer_reference == "PO-2231"

    approver = new_browser_page(viewport=viewport)
    sign_in(approver, admin)
    approver.goto("/shop/approvals")
    expect(approver.locator("#approval-queue")).to_contain_text(order.number)
    check(approver, "approvals", size, failures)
    approver.get_by_label("Comment for the buyer (needed to reject)").fill("OK for the Delft site.")
    approver.get_by_role("button", name=f"Approve {order.number}").click()
    expect(approver.get_by_text(f"Order {order.number} is approved. The buyer is emailed.")).to_be_visible()
    approver.goto("/shop/approvals/rules")
    check(approver, "approval-rules", size, failures)

    page.goto(f"/orders/{order.id}")
    expect(page.locator("ol.timeline")).to_contain_text("Approved by Ada Admin")
    expect(page.locator("main h1")).to_contain_text("Submitted")
    check(page, "order-approved", size, failures)
    assert not failures, "\n".join(failures)


def test_a_rep_orders_for_a_customer(make, db, new_browser_page):
    shop = shop_world(make, prices=("9.90", "4.50"))
    rep = make.rep(allocated=[shop.company], name="Rita Rep")
    failures: list[str] = []
    page = new_browser_page(viewport=PHONE)
    sign_in(page, rep)
    page.get_by_role("button", name="Act for ACME Tools").click()
    expect(page.locator(".acting-banner")).to_contain_text("Acting for ACME Tools")
    page.goto("/shop/quick-order")
    page.get_by_label("SKU and quantity, one product per line").fill(f"{shop.products[0].sku} 10")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_text("1 product(s) added to your cart.")).to_be_visible()
    page.get_by_role("link", name="Check out").click()
    page.get_by_label("A new address (saved to your address book)").first.check()
    page.locator("#ns_city").fill("Zwolle")
    page.get_by_role("button", name="Review order").click()  # the street is missing
    expect(page.locator("#shipping-error")).to_have_text("New delivery address: Enter the street and number.")
    check(page, "checkout-error", "phone", failures)
    page.locator("#ns_line1").fill("Site office, Kade 12")
    page.locator("#ns_city").fill("Zwolle")
    page.get_by_role("button", name="Review order").click()
    expect(page.locator("main")).to_contain_text("Site office, Kade 12")
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("main dl.meta")).to_contain_text("Rita Rep (your sales rep) for ACME Tools")
    check(page, "rep-order", "phone", failures)
    order = orders_of(shop.company)[0]
    assert (order.placed_by_id, order.acting_rep_id) == (rep.id, rep.id)
    assert order.shipping_address.line1 == "Site office, Kade 12"
    assert not failures, "\n".join(failures)
