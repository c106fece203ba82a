"""Real-browser journeys (Playwright + system Chromium) against the live server."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, user) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    expect(page).not_to_have_url(re.compile(r"/login"))


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


def test_staff_switches_orders_off_and_the_customer_loses_orders_without_restart(app, make, new_browser_page):
    orders = app.extensions["portal_features"].get("orders")
    company = make.company(name="ACME Tools")
    customer = make.contact(company, role="Admin")
    make.order(company)
    staff = make.staff(name="Stella Staff")

    customer_page = new_browser_page()
    sign_in(customer_page, customer)
    customer_page.goto("/dashboard")
    expect(main_nav(customer_page).get_by_role("link", name=orders.nav[0].label)).to_be_visible()
    assert customer_page.goto("/orders/").status == 200

    staff_page = new_browser_page()
    sign_in(staff_page, staff)
    assert staff_page.goto("/admin/settings/").status == 200
    toggle = staff_page.get_by_label(orders.label, exact=True)
    expect(toggle).to_be_checked()
    toggle.uncheck()
    staff_page.get_by_role("button", name="Save settings").click()
    staff_page.wait_for_load_state()
    # What the staff member sees after saving: the toggle stays off.
    staff_page.goto("/admin/settings/")
    expect(staff_page.get_by_label(orders.label, exact=True)).not_to_be_checked()

    customer_page.reload()
    expect(main_nav(customer_page)).to_be_visible()
    expect(main_nav(customer_page).get_by_role("link", name=orders.nav[0].label)).to_have_count(0)
    assert customer_page.goto("/orders/").status == 404


def test_rep_picks_an_allocated_customer_acts_for_it_switches_and_stops(make, new_browser_page):
    acme, bolt = make.company(name="ACME Tools", code="C-ACME"), make.company(name="Bolt Fasteners", code="C-BOLT")
    make.company(name="Zeta Industrial", code="C-ZETA")
    rep = make.rep(allocated=[acme, bolt], name="Rita Rep")
    page = new_browser_page()
    sign_in(page, rep)
    expect(page).to_have_url(re.compile(r"/customers"))
    customers = page.locator("#customers")
    expect(customers).to_contain_text("ACME Tools")
    expect(customers).not_to_contain_text("Zeta Industrial")
    page.get_by_label("Search by name, code or city").fill("bolt")
    page.get_by_role("button", name="Search").click()
    expect(customers.get_by_role("row")).to_have_count(2)  # header + Bolt
    page.get_by_role("button", name="Act for Bolt Fasteners").click()

    banner = page.locator(".acting-banner")
    expect(banner).to_contain_text("Acting for Bolt Fasteners")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bolt Fasteners")
    banner.get_by_role("link", name="switch").click()
    page.get_by_role("button", name="Act for ACME Tools").click()
    expect(banner).to_contain_text("Acting for ACME Tools")

    banner.get_by_role("button", name="stop").click()
    expect(page.get_by_text("You stopped acting for the customer.")).to_be_visible()
    expect(banner).to_have_count(0)
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/customers"))
