"""Staff build a quote in the quote builder in a real browser (Playwright + system Chromium, 1280x900):
pick a product by typing its SKU, set the quantity, see the live totals, save; the stored totals are the
ones shown. Screenshots: test-artifacts/screens/shop-quote-builder*-desktop.png; no CSP violation, no sideways
scroll, axe-core finds nothing serious."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.models import ContractPrice, Quote
from tests.test_shop_browser import check, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def test_staff_pick_a_product_by_sku_and_save_the_quote_they_see(make, db, new_browser_page):
    tier = make.tier("LIST", "List price", is_default=True)
    company = make.company(name="ACME Tools", price_tier_id=tier.id)
    make.contact(company, name="Carla Contact")
    make.product(sku="BLT-10", name="Hex bolt M10", price="2.50", tier=tier)
    drill = make.product(sku="DRL-200", name="Cordless drill", price="100.00", tier=tier)
    db.session.add(ContractPrice(company_id=company.id, product_id=drill.id, price=Decimal("80.00"), currency="EUR"))
    db.session.commit()
    staff = make.staff(name="Stella Staff", email="stella-builder@northwind.example")
    failures: list[str] = []

    page = new_browser_page(viewport={"width": 1280, "height": 900})
    sign_in(page, staff)
    page.goto("/admin/quote/")
    page.get_by_role("link", name="Create").first.click()
    expect(page.get_by_role("heading", name="New quote")).to_be_visible()
    page.get_by_label("Customer company").select_option(label="ACME Tools (" + company.code + ")")
    page.get_by_label("Contact", exact=True).select_option(label="Carla Contact · " + company.memberships[0].user.email)
    page.get_by_label("Title", exact=True).fill("Workshop refit")

    product = page.get_by_label("Line 1: product, SKU or name")
    product.fill("DRL-2")
    expect(page.get_by_role("option", name=re.compile("DRL-200"))).to_contain_text("€80.00")  # contract price
    product.press("Enter")                                   # picks the suggestion
    quantity = page.get_by_label("Line 1: quantity")
    expect(quantity).to_be_focused()
    expect(page.get_by_label("Line 1: description")).to_have_value("Cordless drill")
    expect(page.get_by_label("Line 1: unit price")).to_have_value("80.00")
    quantity.fill("3")
    quantity.press("Enter")                                  # a new line below
    expect(page.get_by_label("Line 2: product, SKU or name")).to_be_focused()
    page.get_by_label("Line 2: product, SKU or name").fill("blt-10")
    page.get_by_label("Line 2: product, SKU or name").press("Enter")  # an exact SKU: taken as typed
    expect(page.get_by_label("Line 2: description")).to_have_value("Hex bolt M10")
    page.get_by_label("Line 2: quantity").fill("100")
    page.get_by_label("Line 2: optional").check()
    page.get_by_role("button", name="Add section").click()
    page.get_by_label("Section 1", exact=True).fill("Labour")
    page.get_by_label("Section 1", exact=True).press("Enter")             # its first line
    page.get_by_label("Line 3: description").fill("Installation")
    page.get_by_label("Line 3: unit price").fill("150")
    page.get_by_label("Line 3: tax %").fill("9")

    # 3 x 80.00 + 150.00 = 390.00; tax 21% of 240 + 9% of 150 = 50.40 + 13.50; the optional bolts apart
    expect(page.locator("#total-subtotal")).to_have_text("€390.00")
    expect(page.locator("#total-tax")).to_have_text("€63.90")
    expect(page.locator("#total-total")).to_have_text("€453.90")
    expect(page.locator("#total-optional")).to_have_text("€250.00")
    check(page, "quote-builder", "desktop", failures)
    shown = page.locator("#total-total").text_content()

    page.get_by_role("button", name="Save quote").click()
    expect(page.get_by_text("created as a draft")).to_be_visible()
    expect(page.locator("#total-total")).to_have_text(shown)
    db.session.expire_all()
    quote = db.session.execute(select(Quote)).scalar_one()
    assert quote.total == Decimal("453.90") and shown == "€453.90"
    assert [(ln.description, ln.section.title if ln.section else None, ln.optional) for ln in quote.lines] == [
        ("Cordless drill", None, False), ("Hex bolt M10", None, True), ("Installation", "Labour", False)]
    check(page, "quote-builder-saved", "desktop", failures)

    # moved below the last loose line, the bolts join the Labour section; the drill goes
    page.get_by_role("button", name="Move line 2 down").click()
    expect(page.get_by_role("button", name="Move line 2 down")).to_be_focused()
    page.get_by_role("button", name="Remove line 1").click()
    expect(page.locator("#total-total")).to_have_text("€163.50")
    page.get_by_role("button", name="Save quote").click()
    expect(page.get_by_text(f"Quote {quote.number} saved.")).to_be_visible()
    db.session.expire_all()
    quote = db.session.get(Quote, quote.id)
    assert [(ln.description, ln.section.title if ln.section else None) for ln in quote.lines] == [
        ("Hex bolt M10", "Labour"), ("Installation", "Labour")]
    assert quote.total == Decimal("163.50")
    assert not failures, "\n".join(failures)
