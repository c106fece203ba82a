"""Accessibility and layout in a real browser, on the demo business (its branding colours included).

axe-core (bundled by the test dependency axe-playwright-python, injected into each page) checks the
WCAG 2.1 A/AA rules on every portal page — built from the app's URL map: GET routes without
arguments plus the detail pages of demo objects — and on the main back-office screens, each signed
in as the principal the page is for. Serious and critical violations fail the test. The same pass
checks that every cell of a portal table carries its column's name (phones show it as a label).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources

import pytest
from flask import url_for
from sqlalchemy import select

from portal import settings
from portal.demo import seed_demo
from portal.demo.logins import DEMO_LOGINS
from portal.models import (
    Address,
    Company,
    CreditNote,
    Invoice,
    ListSharing,
    Membership,
    Payment,
    PaymentRequest,
    ProductImage,
    PurchaseList,
    PurchaseOrder,
    Quote,
    QuoteStatus,
    ReturnRequest,
    SalesOrder,
    Shipment,
    ShipmentStatus,
    SupplierBill,
    Ticket,
    User,
)
from portal.permissions import policy_of
from tests.fixtures_browser import ARTIFACTS, save_screenshot

pytestmark = pytest.mark.browser

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]}
FAILING = ("serious", "critical")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
#: responses that are not pages (stylesheets, images, PDF downloads, probes)
NOT_PAGES = {"core.brand_css", "core.brand_logo", "core.favicon", "core.favicon_ico", "core.healthz", "core.readyz",
             "shop.image", "quotations.pdf", "quotations.shared_pdf", "invoices.receipt_pdf", "invoices.statement_pdf",
             "invoices.statement_csv", "tickets.attachment", "orders.export_csv", "returns.attachment",
             "returns.slip", "invoices.invoice_pdf", "invoices.credit_note_pdf", "orders.order_pdf",
             "shipments.delivery_note_pdf"}
DOWNLOADS = ("/pdf", ".pdf", "/csv", ".csv")


def axe_source() -> str:
    try:
        return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        pytest.skip("axe-core is not installed: pip install -e '.[test]' (axe-playwright-python bundles it)")


def login(name: str) -> tuple[str, str]:
    found = next(login for login in DEMO_LOGINS if login.who.startswith(name))
    return found.email, found.password


@dataclass
class Demo:
    """The demo business, with the ids its detail pages need."""

    args: dict[str, object]
    acme_id: int


@pytest.fixture
def demo(db):
    assert seed_demo() is True
    acme = db.session.execute(select(Company).filter_by(code="C-1001")).scalar_one()
    baltic = db.session.execute(select(Company).filter_by(code="S-2001")).scalar_one()
    anna = db.session.execute(select(User).filter_by(email=login("Customer")[0])).scalar_one()

    def first(model, *where):
        return db.session.execute(select(model.id).where(*where).order_by(model.id)).scalars().first()

    args = {
        "order_id": first(SalesOrder, SalesOrder.company_id == acme.id),
        "invoice_id": first(Invoice, Invoice.company_id == acme.id, Invoice.amount_paid > 0),
        "credit_note_id": first(CreditNote, CreditNote.company_id == acme.id),
        "payment_id": first(Payment, Payment.company_id == acme.id, Payment.invoice_id.is_not(None)),
        "payment_request_id": first(PaymentRequest, PaymentRequest.company_id == acme.id),
        "quote_id": first(Quote, Quote.company_id == acme.id, Quote.status == QuoteStatus.changes_requested),
        "shipment_id": first(Shipment, Shipment.company_id == acme.id, Shipment.status == ShipmentStatus.delivered),
        "purchase_order_id": first(PurchaseOrder, PurchaseOrder.company_id == baltic.id),
        "bill_id": first(SupplierBill, SupplierBill.company_id == baltic.id),
        "address_id": first(Address, Address.company_id == acme.id),
        "list_id": first(PurchaseList, PurchaseList.company_id == acme.id, PurchaseList.sharing != ListSharing.private),
        "user_id": first(Membership, Membership.company_id == acme.id, Membership.user_id != anna.id),
        "token": "no-such-link",  # the page that explains a bad link
        "image_id": first(ProductImage),
        "ticket_id": first(Ticket, Ticket.company_id == acme.id),
        "return_id": first(ReturnRequest, ReturnRequest.company_id == acme.id),
    }
    args["product_id"] = db.session.get(ProductImage, args["image_id"]).product_id  # a product with pictures
    args["user_id"] = db.session.get(Membership, args["user_id"]).user_id
    assert all(args.values()), args
    return Demo(args, acme.id)


def signed_in(new_browser_page, who: str | None, viewport=DESKTOP):
    page = new_browser_page(viewport=viewport)
    if who is not None:
        email, password = login(who)
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert "/login" not in page.url, f"sign-in as {who} failed"
    return page


def portal_pages(app, demo: Demo) -> list[tuple[str, str, str]]:
    """(who, page type, path) for every portal GET page: no-argument routes and demo detail pages."""
    pages = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            endpoint = rule.endpoint
            if rule.rule.startswith(("/admin", "/static")) or endpoint.endswith("static") or endpoint in NOT_PAGES:
                continue
            if rule.rule.endswith(DOWNLOADS):  # a new feature's PDF or CSV download is not a page either
                continue
            if "GET" not in rule.methods:
                continue
            missing = set(rule.arguments) - demo.args.keys()
            assert not missing, f"{rule.rule}: the test has no demo object for {sorted(missing)}"
            path = url_for(endpoint, **{a: demo.args[a] for a in rule.arguments})
            policy = policy_of(app, endpoint) or ("public",)
            if policy[0] == "public":
                who = None
            elif endpoint == "core.choose_customer":
                who = "Sales rep"
            elif policy[0] == "permission" and policy[2] == "supplier":
                who = "Supplier"
            else:
                who = "Customer"
            pages.append((who, endpoint, path))
    pages.append(("Supplier", "core.home (supplier)", "/"))
    pages.append(("Sales rep", "core.dashboard (rep acting)", "/dashboard"))
    return pages


def admin_pages(app, demo: Demo) -> list[tuple[str, str]]:
    """(page type, path): home, every model list, a create and an edit form, the settings."""
    admin = app.extensions["portal_admin"]
    with app.test_request_context():
        pages = [("admin home", url_for("admin.index")), ("admin settings", url_for("admin_settings.index")),
                 ("admin create form", url_for("admin_sales_order.create_view")),
                 ("admin edit form", url_for("admin_company.edit_view", id=demo.acme_id)),
                 ("admin notifications", url_for("admin_notifications.index")),
                 ("admin quote engagement", url_for("admin_quote_engagement.index"))]
        for view in admin._views:
            if getattr(view, "model", None) is not None:
                pages.append((f"admin list {view.endpoint}", url_for(f"{view.endpoint}.index_view")))
    return pages


LABEL_CHECK = """() => {
  const problems = [];
  for (const table of document.querySelectorAll("main table.table:not(.totals)")) {
    const headers = [...table.querySelectorAll("thead th")].map(th => th.textContent.trim());
    if (!headers.length) continue;
    for (const row of table.querySelectorAll("tbody tr")) {
      const cells = [...row.children];
      if (cells.length === 1 && cells[0].colSpan > 1) continue;  // "no lines" row
      cells.forEach((cell, i) => {
        const label = cell.getAttribute("data-label");
        const visible = headers[i] && !table.querySelectorAll("thead th")[i].querySelector(".visually-hidden:only-child");
        if (visible && label !== headers[i]) problems.push(`column "${headers[i]}" cell labelled ${JSON.stringify(label)}`);
      });
    }
  }
  return problems;
}"""


def run_axe(page, source: str) -> list[dict]:
    page.evaluate(source)
    return page.evaluate("options => axe.run(document, options).then(r => r.violations)", WCAG)


def describe(violations, where: str) -> list[str]:
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
                            for node in v["nodes"][:5])
        more = f" (+{len(v['nodes']) - 5} more)" if len(v["nodes"]) > 5 else ""
        lines.append(f"{where}: {v['id']} ({v['impact']}, {len(v['nodes'])} element(s)) {v['help']} -> {targets}{more}")
    return lines


#: the pages are checked in this many tests, each every AXE_PARTS-th page, so parallel workers share them
AXE_PARTS = 4


@pytest.mark.parametrize("part", range(AXE_PARTS))
def test_axe_finds_no_serious_violation_on_any_portal_page_or_main_back_office_screen(app, demo, new_browser_page,
                                                                                        part):
    source = axe_source()
    failures, unlabelled, report = [], [], []
    counts: Counter = Counter()
    pages = {}
    checks = [(who, size, viewport, kind, path) for who, kind, path in portal_pages(app, demo)
              for size, viewport in (("desktop", DESKTOP), ("phone", PHONE))]
    checks += [("Staff", "desktop", DESKTOP, kind, path) for kind, path in admin_pages(app, demo)]
    for who, size, viewport, kind, path in checks[part::AXE_PARTS]:
        key = (who, size)
        if key not in pages:
            pages[key] = signed_in(new_browser_page, who, viewport)
            if who == "Sales rep":  # act for the demo customer, so the acting banner shows
                pages[key].goto("/customers")
                pages[key].get_by_role("button", name="Act for Acme Hardware").click()
        page = pages[key]
        response = page.goto(path)
        if who == "Staff":
            assert response is not None and response.status == 200, f"{path}: {response and response.status}"
            where = f"{path} ({kind}, staff)"
        else:
            assert response is not None and response.status < 500, f"{path} as {who}: {response and response.status}"
            where = f"{path} ({kind}, {who or 'anonymous'}, {size})"
        violations = run_axe(page, source)
        counts[(kind, size)] += sum(len(v["nodes"]) for v in violations)
        report += describe(violations, where)
        failures += describe([v for v in violations if v["impact"] in FAILING], where)
        if size == "phone":
            unlabelled += [f"{where}: {p}" for p in page.evaluate(LABEL_CHECK)]

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-report-{part + 1}-of-{AXE_PARTS}.txt").write_text(
        "elements with violations per page type and size\n"
        + "\n".join(f"{n:4d}  {kind} [{size}]" for (kind, size), n in sorted(counts.items()))
        + "\n\nall violations (any impact)\n" + "\n".join(report) + "\n", encoding="utf-8")
    assert not failures, "axe-core found serious or critical WCAG 2.1 A/AA violations:\n" + "\n".join(failures)
    assert not unlabelled, "table cells without their column's label (phones show it):\n" + "\n".join(unlabelled)


# --- layout at desktop and phone size ---------------------------------------------------------------------

def box(page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not visible on {page.url}"
    return found


def colour(page, selector: str, prop: str, pseudo: str | None = None) -> str:
    return page.locator(selector).first.evaluate("(el, [prop, pseudo]) => getComputedStyle(el, pseudo)[prop]",
                                                 [prop, pseudo])


def rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return f"rgb({int(h[0:2], 16)}, {int(h[2:4], 16)}, {int(h[4:6], 16)})"


def test_key_pages_at_desktop_and_phone_size(app, demo, new_browser_page):
    """Screenshots of the dashboard, an invoice, the orders list, the back-office home and settings at
    1280x900 and 390x844 (test-artifacts/screens/), and what a person sees on them."""
    with app.app_context():
        primary = settings.get("branding.primary_color")
    invoice = f"/invoices/{demo.args['invoice_id']}"

    desktop = signed_in(new_browser_page, "Customer", DESKTOP)
    for name, path in (("dashboard", "/dashboard"), ("invoice", invoice), ("orders", "/orders/")):
        desktop.goto(path)
        save_screenshot(desktop, f"{name}-desktop")
        header, h1 = box(desktop, ".site-header"), box(desktop, "main h1")
        assert h1["y"] - (header["y"] + header["height"]) >= 24, f"{path}: the heading sits on the header"
        assert box(desktop, ".brand")["y"] >= 8, f"{path}: the header hugs the top edge"
        assert not desktop.locator(".menu-button").is_visible(), "desktop shows the whole menu, no menu button"
        assert desktop.get_by_role("navigation", name="Main").get_by_role("link", name="Orders").is_visible()
    desktop.goto("/orders/")
    status, switcher, filter_button = box(desktop, "#status"), box(desktop, "#company-switch"), box(
        desktop, "main form button")
    assert abs(status["height"] - filter_button["height"]) <= 1, "the order filter and its button differ in height"
    for field in ("#status", "#company-switch"):
        assert colour(desktop, field, "appearance") == "none", f"{field} is the browser's unstyled select"
    assert switcher["height"] <= box(desktop, ".company-switch button")["height"] + 1

    phone = signed_in(new_browser_page, "Customer", PHONE)
    for name, path in (("dashboard", "/dashboard"), ("invoice", invoice), ("orders", "/orders/")):
        phone.goto(path)
        save_screenshot(phone, f"{name}-phone")
        header = box(phone, ".site-header")
        assert header["height"] <= 80, f"{path}: the phone header takes {header['height']:.0f}px"
        assert phone.locator(".menu-button").is_visible()
        assert not phone.get_by_role("navigation", name="Main").is_visible()
    phone.goto(invoice)
    qty = phone.locator("main table tbody td[data-label='Qty']").first
    assert qty.evaluate("el => getComputedStyle(el, '::before').content") == '"Qty"'
    assert "Unit price" in phone.locator("main table tbody tr").first.evaluate(
        "row => [...row.cells].map(c => getComputedStyle(c, '::before').content).join(' ')")
    phone.get_by_role("button", name="Menu").click()
    nav = phone.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Orders").is_visible()
    assert phone.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "true"
    save_screenshot(phone, "menu-open-phone", full_page=False)
    nav.get_by_role("link", name="Orders").click()
    assert re.search(r"/orders/$", phone.url)

    staff = signed_in(new_browser_page, "Staff", DESKTOP)
    for name, path in (("admin-home", "/admin/"), ("admin-settings", "/admin/settings/")):
        staff.goto(path)
        save_screenshot(staff, f"{name}-desktop")
        navbar = box(staff, "nav.portal-admin")
        assert navbar["height"] < 70, f"{path}: the back-office menu wraps ({navbar['height']:.0f}px high at 1280px)"
        assert colour(staff, "nav.portal-admin", "backgroundColor") == rgb(primary)
    assert colour(staff, "button.btn-primary", "backgroundColor") == rgb(primary), "buttons ignore the branding"
    staff_phone = signed_in(new_browser_page, "Staff", PHONE)
    for name, path in (("admin-home", "/admin/"), ("admin-settings", "/admin/settings/")):
        staff_phone.goto(path)
        save_screenshot(staff_phone, f"{name}-phone")
