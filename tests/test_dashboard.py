"""The customer dashboard: credit position, totals, recent documents, query budget."""
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal import settings
from portal.features import registry
from portal.models import CreditNoteStatus, InvoiceStatus, OrderStatus, Role
from portal.services import clock, credit_limit, orders, receivables


def summary_for(company):
    """The figures the dashboard's blocks show, from the services that own them."""
    return SimpleNamespace(
        outstanding=receivables.outstanding_total(company), open_orders_value=orders.open_orders_value(company),
        available_credit=credit_limit.available_credit(company), open_orders=orders.open_order_count(company),
        open_invoices=receivables.open_invoice_count(company),
        overdue_invoices=receivables.overdue_invoice_count(company))


def test_available_credit_subtracts_open_invoices_and_open_orders(db, make):
    company = make.company(credit_limit=Decimal("1000.00"))
    make.invoice(company, total="300.00")
    make.invoice(company, total="200.00", status=InvoiceStatus.partially_paid, amount_paid=Decimal("50.00"))
    make.invoice(company, total="999.00", status=InvoiceStatus.paid, amount_paid=Decimal("999.00"))
    make.invoice(company, total="100.00", due_in_days=-3)
    make.order(company, total="250.00", status=OrderStatus.confirmed)
    make.order(company, total="400.00", status=OrderStatus.delivered)  # invoiced or done: not open
    summary = summary_for(company)
    assert summary.outstanding == Decimal("550.00")
    assert summary.open_orders_value == Decimal("250.00")
    assert summary.available_credit == Decimal("200.00")
    assert (summary.open_invoices, summary.overdue_invoices, summary.open_orders) == (3, 1, 1)


def test_available_credit_never_shows_negative(db, make):
    company = make.company(credit_limit=Decimal("100.00"))
    make.invoice(company, total="500.00")
    assert summary_for(company).available_credit == Decimal(0)


def test_dashboard_shows_the_figures_and_only_own_documents(testapp, make, login):
    mine = make.company(name="Mine BV", credit_limit=Decimal("5000.00"))
    other = make.company(name="Other BV")
    own_order = make.order(mine, total="121.00")
    other_order = make.order(other, total="99.00")
    res = login(testapp, make.contact(mine, role="Viewer"))
    assert "€5,000.00" in res.text
    assert own_order.number in res.text
    assert other_order.number not in res.text


def test_dashboard_query_count_does_not_grow_with_documents(db, testapp, make, login, count_queries):
    company = make.company()
    user = make.contact(company)
    make.order(company)
    make.invoice(company)
    login(testapp, user)
    db.session.expire_all()  # the test shares the session's identity map with the app
    with count_queries() as few:
        testapp.get("/dashboard")
    for _ in range(8):
        make.order(company)
        make.invoice(company)
    db.session.expire_all()
    with count_queries() as many:
        testapp.get("/dashboard")
    assert many.count == few.count


# --- the states behind the figures (portal.services.receivables, orders, credit_limit) ----------------

def _stats(res) -> dict[str, str]:
    page = BeautifulSoup(res.text, "html.parser")
    return {s.select_one(".stat-label").get_text(strip=True): s.select_one(".stat-value").get_text(strip=True)
            for s in page.select(".stats .stat")}


def test_a_draft_invoice_is_not_on_the_dashboard(testapp, make, login):
    company = make.company()
    draft = make.invoice(company, total="777.00", status=InvoiceStatus.draft, due_in_days=-10)
    issued = make.invoice(company, total="121.00")
    res = login(testapp, make.contact(company, role="Viewer"))
    assert issued.number in res.text
    assert draft.number not in res.text  # its page is a 404 for the customer, so it is not listed either
    assert testapp.get(f"/invoices/{draft.id}", expect_errors=True).status_int == 404
    assert _stats(res)["Outstanding"] == "€121.00"


def test_a_credit_note_lowers_outstanding_and_raises_available_credit(testapp, make, login):
    company = make.company(credit_limit=Decimal("1000.00"))
    invoice = make.invoice(company, total="300.00")
    before = summary_for(company)
    assert (before.outstanding, before.available_credit) == (Decimal("300.00"), Decimal("700.00"))
    make.credit_note(company, invoice, total="100.00")
    after = summary_for(company)
    assert (after.outstanding, after.available_credit) == (Decimal("200.00"), Decimal("800.00"))
    stats = _stats(login(testapp, make.contact(company, role="Viewer")))
    assert (stats["Outstanding"], stats["Available credit"]) == ("€200.00", "€800.00")


def test_a_company_credit_note_lowers_outstanding(db, make):
    company = make.company(credit_limit=Decimal("1000.00"))
    make.invoice(company, total="300.00")
    make.credit_note(company, None, total="50.00")
    make.credit_note(company, None, total="25.00", status=CreditNoteStatus.void)
    summary = summary_for(company)
    assert (summary.outstanding, summary.available_credit) == (Decimal("250.00"), Decimal("750.00"))


@pytest.mark.parametrize(("invoice_status", "open_value"), [
    (None, "250.00"),
    (InvoiceStatus.draft, "250.00"),   # not issued yet: the order still counts
    (InvoiceStatus.void, "250.00"),
    (InvoiceStatus.open, "0.00"),      # owed on its invoice now: counted once, as outstanding
    (InvoiceStatus.paid, "0.00"),
])
def test_open_orders_count_against_credit_until_invoiced(db, make, invoice_status, open_value):
    company = make.company(credit_limit=Decimal("1000.00"))
    order = make.order(company, total="250.00", status=OrderStatus.partially_shipped)
    if invoice_status is not None:
        make.invoice(company, total="250.00", status=invoice_status, order_id=order.id,
                     amount_paid=Decimal("250.00") if invoice_status == InvoiceStatus.paid else Decimal(0))
    assert orders.open_orders_value(company) == Decimal(open_value)
    summary = summary_for(company)
    assert summary.open_orders == 1
    assert summary.available_credit == Decimal("1000.00") - summary.outstanding - Decimal(open_value)


def test_an_order_invoiced_in_part_counts_what_is_not_invoiced_yet(db, make):
    company = make.company()
    order = make.order(company, total="250.00", status=OrderStatus.partially_shipped)
    make.invoice(company, total="100.00", order_id=order.id)
    make.order(company, total="99.00", status=OrderStatus.delivered)
    assert orders.open_orders_value(company) == Decimal("150.00")
    assert credit_limit.available_credit(company) == Decimal("10000.00") - Decimal("100.00") - Decimal("150.00")


def test_overdue_on_the_dashboard_follows_the_clock(testapp, make, login):
    company = make.company()
    make.invoice(company, due_in_days=3)
    user = make.contact(company, role="Viewer")
    assert summary_for(company).overdue_invoices == 0
    with clock.frozen(clock.today() + timedelta(days=4)):
        assert summary_for(company).overdue_invoices == 1
        res = login(testapp, user)
        assert "1 overdue" in res.text and "badge-overdue" in res.text


# --- blocks come from the features (Feature.dashboard) ---------------------------------------------------

def test_the_dashboard_template_names_no_feature():
    import portal

    template = (Path(portal.__file__).parent / "templates/core/dashboard.html").read_text()
    from portal import create_app

    keys = {f.key for f in create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
            .extensions["portal_features"].togglable()}
    assert not [k for k in keys if k in template]


def test_a_feature_switched_off_takes_its_blocks_with_it(testapp, make, login):
    company = make.company()
    order, invoice = make.order(company), make.invoice(company)
    res = login(testapp, make.contact(company, role="Viewer"))
    assert {"Outstanding", "Open orders", "Credit limit"} <= set(_stats(res))
    assert order.number in res.text and invoice.number in res.text
    settings.set_feature("invoices", False)
    res = testapp.get("/dashboard")
    assert "Outstanding" not in _stats(res) and invoice.number not in res.text
    assert "Open orders" in _stats(res) and order.number in res.text
    settings.set_feature("orders", False)  # shipments require orders: off too
    res = testapp.get("/dashboard")
    assert "Open orders" not in _stats(res) and order.number not in res.text
    assert set(_stats(res)) == {"Credit limit", "Available credit"}


def test_a_role_without_the_permission_does_not_get_the_block(db, testapp, make, login):
    company = make.company()
    invoice = make.invoice(company)
    viewer = db.session.execute(select(Role).filter_by(name="Viewer")).scalar_one()
    viewer.permissions = [p for p in viewer.permissions if p != "invoices.view"]
    db.session.commit()
    res = login(testapp, make.contact(company, role="Viewer"))
    assert "Outstanding" not in _stats(res) and invoice.number not in res.text
    assert "Open orders" in _stats(res)


def test_blocks_appear_in_declared_order(testapp, make, login):
    company = make.company()
    make.order(company)
    make.invoice(company)
    res = login(testapp, make.contact(company, role="Admin"))
    headings = [h.get_text(strip=True) for h in res.html.select(".columns h2")]
    declared = [b.template for f in registry() for b in f.dashboard if b.area == "main"]
    assert headings == ["Recent orders", "Recent invoices"]
    assert declared.index("orders/_recent_orders.html") < declared.index("invoices/_recent_invoices.html")
