"""A client opens a shared quote in a real browser (Playwright + system Chromium), on a phone and a desktop
screen: reads it, downloads the PDF, asks for changes; staff revise the quote and share it again; the client
accepts the revised quote with a typed-name e-signature. Screenshots (test-artifacts/screens/quote-*), no
Content-Security-Policy violation, nothing wider than the screen, and axe-core finds no serious issue."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.models import QuoteLine, QuoteSignature, QuoteStatus
from portal.services import clock, quote_shares
from portal.services.actor import Actor
from portal.services.totals import recompute_totals
from tests.test_shop_browser import check

pytestmark = [pytest.mark.browser, pytest.mark.committed]
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_client_opens_a_shared_quote_asks_for_changes_and_accepts_the_revision(make, db, new_browser_page,
                                                                                   size):
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

    # staff revise the shared quote (two extra racks) and share it again: a fresh link, the old one withdrawn
    db.session.refresh(quote)
    quote.lines.append(QuoteLine(description="Two extra racks", quantity=Decimal(2), unit_price=Decimal("150.00"),
                                 position=50))
    recompute_totals(quote)
    quote.revision += 1
    quote.status = QuoteStatus.sent
    raw, _link = quote_shares.share(quote, name="Dana Buyer", email="dana@acme.example", by=Actor.of(staff))
    db.session.commit()

    page.goto(f"/quotes/link/{raw}")
    expect(page.get_by_role("cell", name="Two extra racks")).to_be_visible()
    page.get_by_label("Your full name").fill("Dana Buyer")
    expect(page.get_by_label("Your email")).to_have_value("dana@acme.example")
    page.get_by_label("I agree this typed name is my electronic signature and accept the quote and terms").check()
    check(page, "quote-accept-form", size, failures)
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_text("Thank you: you accepted the quote.")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Accepted")
    expect(page.get_by_role("button", name="Accept", exact=True)).to_have_count(0)
    check(page, "quote-accepted", size, failures)
    assert not failures, "\n".join(failures)
    db.session.expire_all()
    signature = db.session.execute(select(QuoteSignature)).scalar_one()
    assert (signature.signer_name, signature.revision) == ("Dana Buyer", 2)
    assert '"description":"Two extra racks"' in signature.snapshot
