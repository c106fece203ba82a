"""The customer dashboard: credit position, totals, recent documents, query budget."""
from decimal import Decimal

from portal.models import InvoiceStatus, OrderStatus
from portal.services.dashboard import summary_for


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
