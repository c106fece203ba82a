"""The back office and the portal work under their Content-Security-Policy in a real browser: what
Flask-Admin did with onclick= handlers (delete confirmation, list actions, filters, inline lines) and the
portal's own scripts still work, and Chromium reports no violation (the new_browser_page fixture fails
the test on any)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.models import Company
from tests.test_browser_journeys import sign_in

pytestmark = pytest.mark.browser


def companies(db) -> set[str]:
    db.session.expire_all()
    return set(db.session.execute(select(Company.name)).scalars())


def test_back_office_list_actions_filters_and_confirmations_work_under_the_policy(db, make, new_browser_page):
    make.company(name="Keep Ltd", code="C-KEEP")
    make.company(name="Row Delete Ltd", code="C-ROW")
    make.company(name="Action Delete Ltd", code="C-ACT")
    page = new_browser_page()
    sign_in(page, make.staff(name="Stella Staff"))
    page.goto("/admin/company/")
    policy = page.evaluate("() => fetch(location.href).then(r => r.headers.get('content-security-policy'))")
    assert "script-src 'self' 'nonce-" in policy

    # the row's delete button asks first; "Cancel" keeps the record
    row = page.locator("tr", has_text="Row Delete Ltd")
    page.once("dialog", lambda dialog: dialog.dismiss())
    row.get_by_title("Delete Record").click()
    assert "Row Delete Ltd" in companies(db)
    messages = []

    def accept(dialog):
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_navigation():
        row.get_by_title("Delete Record").click()
    assert messages == ["Are you sure you want to delete this record?"]
    assert "Row Delete Ltd" not in companies(db)

    # "With selected" → Delete (Flask-Admin's actions.js, started from admin.js)
    page.locator("tr", has_text="Action Delete Ltd").locator("input.action-checkbox").check()
    page.get_by_text("With selected").click()
    page.on("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("[data-model-action=delete]").click()
    assert companies(db) == {"Keep Ltd"}

    # "Add Filter" adds a filter row, and the javascript: link does not navigate
    page.get_by_text("Add Filter").click()
    page.locator("a.filter").first.click()
    expect(page.locator(".filters tr")).to_have_count(1)
    assert "/admin/company/" in page.url and "javascript" not in page.url

    # tabs and pagers are javascript: links: clicking them is harmless
    page.locator("a.nav-link.active", has_text="List").click()


def test_inline_lines_are_added_under_the_policy(make, new_browser_page):
    page = new_browser_page()
    sign_in(page, make.staff(name="Stella Staff"))
    page.goto("/admin/sales-order/new/")
    lines = page.locator(".inline-field-list > .inline-field")
    before = lines.count()
    page.locator("[data-inline-add]").first.click()
    expect(lines).to_have_count(before + 1)


def test_the_portal_menu_script_runs_under_the_policy(make, new_browser_page):
    page = new_browser_page(viewport={"width": 390, "height": 844})
    sign_in(page, make.contact(role="Admin"))
    page.goto("/dashboard")
    button = page.locator(".menu-button")
    expect(button).to_be_visible()
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
