"""The notification centre in a real browser on a phone (390 px): the bell stays in the header bar with its
count, the list fits the screen, and marking read lowers the count."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.models import OrderStatus
from portal.services import customer_notices
from tests.fixtures_browser import save_screenshot
from tests.test_browser_journeys import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_the_bell_and_the_list_work_on_a_phone(make, db, new_browser_page):
    acme = make.company(name="ACME Tools")
    bea = make.contact(acme, role="Buyer", name="Bea Buyer")
    orders = []
    for _ in range(2):
        order = make.order(acme, status=OrderStatus.confirmed)
        customer_notices.order_status_changed(order, OrderStatus.submitted)
        orders.append(order)
    db.session.commit()

    page = new_browser_page(viewport=PHONE)
    sign_in(page, bea)
    bell = page.locator("#notification-bell")
    expect(bell).to_be_visible()  # in the header bar, not behind the Menu button
    expect(bell.locator(".bell-count")).to_have_text("2")
    bell.click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    save_screenshot(page, "notifications-phone")
    page.get_by_role("button", name=f"Mark read — {orders[0].number}").click()
    expect(page.locator(".flash-success")).to_contain_text("Marked read.")
    expect(bell.locator(".bell-count")).to_have_text("1")
    page.get_by_role("link", name=f"Order confirmed: {orders[1].number}").click()
    expect(page).to_have_url(re.compile(rf"/orders/{orders[1].id}$"))
    expect(page.locator("#notification-bell .bell-count")).to_have_count(0)
