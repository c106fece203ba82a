"""Browser journey: a guest browses the catalog, searches with a typo, opens a product and is asked to
sign in; after signing in they are back on the product at their own price. Desktop and phone."""
from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from werkzeug.datastructures import FileStorage

from portal import settings
from portal.demo.pictures import png
from portal.services import product_images
from tests.conftest import PASSWORD
from tests.fixtures_browser import save_screenshot

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shop(make):
    standard = make.tier("STD", "Standard", is_default=True)
    guest = make.tier("GUEST", "Guest")
    fasteners, screws = make.category("Fasteners"), make.category("Screws")
    screws.parent = fasteners
    make.db.session.commit()
    for n, (name, price, guest_price) in enumerate([
            ("Wood screw 4x40, box of 200", "12.50", "14.38"), ("Hex bolt M8x40", "0.40", "0.46"),
            ("Drywall screw 3.5x35, box of 500", "18.90", "21.74"),
            ("Chipboard screw 5x60, box of 100", "9.80", "11.27")]):
        product = make.product(name=name, category=screws, price=price, tier=standard,
                               description="Zinc plated steel, Pozidriv drive.")
        make.product_price(product, guest, guest_price)
        product_images.add(product, FileStorage(io.BytesIO(png((226, 232, 240), (71, 85, 105), n)), "p.png"),
                           alt_text=name)
    make.db.session.commit()
    settings.save({"features.guest_catalog": True, "guest_catalog.price_tier": "GUEST",
                   "branding.business_name": "Northwind Supply"})
    customer = make.contact(make.company(name="Acme Hardware"), role="Buyer")
    return customer


@pytest.mark.parametrize("size, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_a_guest_browses_and_is_asked_to_sign_in(shop, new_browser_page, size, viewport):
    page = new_browser_page(viewport=viewport)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/shop/$"))
    expect(page.get_by_role("heading", name="Catalog", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
    expect(page.get_by_role("link", name="Request access")).to_be_visible()
    save_screenshot(page, f"catalog-guest-{size}")

    page.get_by_label("Search by name, SKU or description").fill("scerw")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("showing results for “screw”")).to_be_visible()
    expect(page.locator(".product-name")).to_have_count(3)
    save_screenshot(page, f"catalog-search-typo-{size}")

    page.get_by_role("link", name="Wood screw 4x40, box of 200").click()
    expect(page.get_by_role("heading", name="Wood screw 4x40, box of 200", level=1)).to_be_visible()
    expect(page.locator(".product-info .price")).to_have_text("€14.38")
    expect(page.get_by_role("img", name="Wood screw 4x40, box of 200")).to_be_visible()
    expect(page.get_by_role("button", name="Add to cart")).to_have_count(0)
    save_screenshot(page, f"catalog-product-guest-{size}")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= viewport["width"], f"the product page scrolls sideways on a {size}: {page_width}px"

    page.locator(".product-info .guest-cta").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(shop.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Wood screw 4x40, box of 200", level=1)).to_be_visible()
    expect(page.locator(".product-info .price")).to_have_text("€12.50")
    expect(page.locator(".guest-cta")).to_have_count(0)
    save_screenshot(page, f"catalog-product-customer-{size}")
