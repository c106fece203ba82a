"""A return in a real browser (Playwright + system Chromium): the customer requests it from the order's page,
staff approve, mark it received and credit it, the customer sees it credited — on a desktop and a phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures_browser import save_screenshot
from tests.return_helpers import delivered_order
from tests.test_browser_journeys import sign_in
from tests.ticket_helpers import png_bytes

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def fits(page, viewport) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{page.url} scrolls sideways: {width}px"


def test_a_return_from_request_to_credit_note(make, new_browser_page):
    acme = make.company(name="ACME Tools")
    buyer = make.contact(acme, role="Buyer", name="Bea Buyer")
    order = delivered_order(make, acme)
    staff = make.staff(name="Stella Staff")

    desk = new_browser_page(viewport=DESKTOP)
    sign_in(desk, buyer)
    desk.goto(f"/orders/{order.id}")
    desk.get_by_role("link", name="Request a return").click()
    desk.get_by_label("Quantity of Widget 1 to return").fill("2")
    desk.get_by_label("Why Widget 1 comes back").select_option("damaged")
    desk.get_by_label("Photos (optional)").set_input_files(
        [{"name": "crushed.png", "mimeType": "image/png", "buffer": png_bytes()}])
    save_screenshot(desk, "returns-new-desktop")
    desk.get_by_role("button", name="Request the return").click()
    expect(desk.locator(".flash-success")).to_contain_text(re.compile(r"Return RMA-\d{4}-\d{4} is requested"))
    return_url = desk.url

    desk.set_viewport_size(PHONE)  # the same customer on a phone
    desk.goto(f"/returns/new?order={order.id}")
    expect(desk.get_by_text("2 already on a return")).to_be_visible()
    save_screenshot(desk, "returns-new-phone")
    fits(desk, PHONE)

    admin = new_browser_page(viewport=DESKTOP)
    sign_in(admin, staff)
    admin.goto("/admin/return-request/")
    admin.get_by_role("link", name=re.compile(r"RMA-")).click()
    admin.get_by_label(re.compile("Return instructions")).fill("Send both boxes to Dock 4, Tilburg.")
    admin.get_by_role("button", name="Approve").click()
    expect(admin.locator("#return-status")).to_have_text("approved")
    admin.get_by_role("button", name="Mark the goods received").click()
    expect(admin.locator("#return-status")).to_have_text("received")
    admin.get_by_role("button", name="Create the credit note from the received lines").click()
    expect(admin.locator("#return-status")).to_have_text("credited")
    expect(admin.locator("#return-credit-note")).to_have_text(re.compile(r"CN-"))
    save_screenshot(admin, "returns-admin-credited-desktop")

    desk.goto(return_url)
    expect(desk.get_by_text("Credited with credit note")).to_be_visible()
    save_screenshot(desk, "returns-credited-phone")
    fits(desk, PHONE)
    desk.set_viewport_size(DESKTOP)
    desk.reload()
    save_screenshot(desk, "returns-credited-desktop")
