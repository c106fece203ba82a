"""A real browser (Playwright + system Chromium) on a 390px phone: a Finance contact pays two invoices by
bank transfer, staff confirm the money arrived, the dashboard's available credit rises by the sum."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from portal import settings
from tests.test_browser_journeys import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def available_credit(page) -> str:
    page.goto("/dashboard")
    stat = page.locator(".stats .stat").filter(has_text="Available credit")
    return stat.locator(".stat-value").inner_text().strip()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_finance_pays_two_invoices_by_bank_transfer_and_staff_confirm(db, make, new_browser_page):
    settings.save({"invoices.bank_account_holder": "Northwind Supplies BV", "invoices.bank_iban": "NL91ABNA0417164300",
                   "invoices.bank_bic": "ABNANL2A", "invoices.bank_name": "ABN AMRO"})
    company = make.company(name="Alpha Trading", credit_limit=Decimal("1000.00"))
    one, two = make.invoice(company, total="121.00"), make.invoice(company, total="200.00")
    finance = make.contact(company, role="Finance", email="fiona@alpha.example")
    staff = make.staff(name="Stella Staff", email="stella@northwind.example")

    page = new_browser_page(viewport=PHONE)
    sign_in(page, finance)
    assert available_credit(page) == "€679.00"
    page.goto("/invoices/?status=open")
    page.get_by_label(f"Pay {one.number}").check()
    page.get_by_label(f"Pay {two.number}").check()
    assert fits_the_screen(page)
    page.get_by_role("button", name="Pay selected").click()
    expect(page.get_by_role("heading", name="Pay invoices")).to_be_visible()
    expect(page.get_by_test_id("pay-total")).to_have_text("€321.00")
    assert fits_the_screen(page)
    page.get_by_role("button", name="Continue to payment").click()
    reference = page.get_by_test_id("payment-reference").inner_text().strip()
    assert re.fullmatch(r"PAY-\w{4}-\w{4}", reference)
    expect(page.get_by_test_id("bank-details")).to_contain_text("NL91ABNA0417164300")
    assert fits_the_screen(page)

    back_office = new_browser_page()
    sign_in(back_office, staff)
    back_office.goto("/admin/payment-request/")
    back_office.get_by_role("link", name="Confirm received").click()
    back_office.get_by_role("button", name="Confirm received").click()
    expect(back_office.get_by_text(f"{reference} confirmed: 2 payment(s) recorded")).to_be_visible()

    assert available_credit(page) == "€1,000.00"
    page.goto(f"/invoices/{one.id}")
    expect(page.get_by_test_id("balance-due")).to_have_text("€0.00")
