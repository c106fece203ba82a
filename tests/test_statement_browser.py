"""A Finance contact reads the ageing on the dashboard, picks a statement period, downloads the PDF and
the CSV and opens a receipt, in a real browser on a phone and a desktop screen: screenshots
(test-artifacts/screens/shop-statement-*), no Content-Security-Policy violation, nothing wider than the
screen, and axe-core finds no serious issue."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from portal.models import InvoiceStatus
from portal.services import clock
from tests.test_shop_browser import check, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
TODAY = date(2026, 6, 15)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_finance_reads_the_ageing_picks_a_period_and_downloads_the_statement(make, db, new_browser_page, size):
    company = make.company(name="Gamma Goods")
    finance = make.contact(company, role="Finance", name="Fay Finance", email=f"fay-{size}@gamma.example")
    with clock.frozen(TODAY):
        late = make.invoice(company, total="1210.00", issue_date=date(2026, 3, 5), status=InvoiceStatus.partially_paid,
                            amount_paid=Decimal("1000.00"))
        late.due_date = date(2026, 4, 4)
        payment = make.payment(company, late, amount="1000.00", received_date=date(2026, 3, 25))
        make.credit_note(company, late, total="60.50", issue_date=date(2026, 4, 2),
                         description="A long description of a credit for goods damaged in transit")
        db.session.commit()
        failures: list[str] = []

        page = new_browser_page(viewport=SIZES[size])
        sign_in(page, finance)
        expect(page.get_by_role("heading", name="Ageing")).to_be_visible()
        expect(page.get_by_test_id("ageing-total-EUR")).to_have_text("€149.50")
        check(page, "statement-dashboard", size, failures)
        page.get_by_role("link", name="Statement of account").click()
        page.get_by_label("From").fill("2026-03-01")
        page.get_by_label("To").fill("2026-05-31")
        page.get_by_role("button", name="Show").click()
        expect(page.get_by_test_id("closing-EUR")).to_have_text("€149.50")
        expect(page.locator("tr.entry")).to_have_count(3)
        check(page, "statement", size, failures)
        for name, suffix in (("Download PDF", ".pdf"), ("Download CSV", ".csv")):
            with page.expect_download() as download:
                page.get_by_role("link", name=name).click()
            assert download.value.suggested_filename.endswith(f"2026-03-01-2026-05-31{suffix}")
        page.get_by_label("From").fill("2026-06-01")
        page.get_by_role("button", name="Show").click()
        expect(page.get_by_role("alert")).to_contain_text("The start date is after the end date")
        check(page, "statement-bad-range", size, failures)
        page.goto("/invoices/receipts")
        page.get_by_role("link", name=payment.number).click()
        expect(page.get_by_test_id("invoice-balance")).to_have_text("€149.50")
        check(page, "receipt", size, failures)
    assert not failures, "\n".join(failures)
