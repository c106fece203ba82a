"""A client opens a shared quote in a real browser (Playwright + system Chromium), on a phone and a desktop
screen: reads it, downloads the PDF, asks for changes. Screenshots (test-artifacts/screens/quote-*), no
Content-Security-Policy violation, nothing wider than the screen, and axe-core finds no serious issue.
(Accepting comes with the e-signature slice.)"""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.services import clock, quote_shares
from portal.services.actor import Actor
from portal.services.totals import recompute_totals
from tests.test_shop_browser import check

pytestmark = [pytest.mark.browser, pytest.mark.committed]
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_client_opens_a_shared_quote_downloads_it_and_asks_for_changes(make, db, new_browser_page, size):
    staff = make.staff(name="Stella Staff", email=f"stella-{size}@northwind.example")
    company = make.company(name="ACME Tools")
    quote = make.quote(company, title="Warehouse racking", valid_until=clock.today() + timedelta(days=14))
    make.quote_section(quote, "Installation", [("Mounting of 10 racks, anchors included", "200.00")], position=1)
    db.session.refresh(quote)
    recompute_totals(quote)  # the section's lines count in the totals
    raw, _link = quote_shares.share(quote, name="Dana Buyer", email="dana@acme.example", by=Actor.of(staff))
    db.session.commit()
    failures: list[str] = []

    page = new_browser_page(viewport=SIZES[size])
    page.goto(f"/quotes/link/{raw}")
    expect(page.get_by_role("heading", name=f"Quote {quote.number} — Warehouse racking")).to_be_visible()
    check(page, "quote-shared", size, failures)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == f"quote-{quote.number}.pdf"
    page.get_by_label("What would you like us to change?").fill("Could you add two extra racks?")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your message is sent.")).to_be_visible()
    expect(page.locator(".conversation")).to_contain_text("Could you add two extra racks?")
    check(page, "quote-changes-sent", size, failures)
    assert not failures, "\n".join(failures)
