"""Lifetime figures kept per company (total orders, total sales) and the document lists at scale."""
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select, update

from portal.models import CompanyFigures, InvoiceStatus, OrderStatus, Role, SalesOrder
from portal.services import clock, company_figures, credit_limit
from tests.fixtures_admin import model_form
from tests.shop_ordering import add_to_cart, orders_of, place, shop_world

THREADS, PER_THREAD = 4, 5


def kept_and_actual(db, company):
    """The kept rows of the company and the figures recomputed from its orders (after a flush)."""
    db.session.flush()
    return company_figures.kept(company.id), company_figures.recomputed(company.id)


def _stats(res) -> dict[str, str]:
    page = BeautifulSoup(res.text, "html.parser")
    return {s.select_one(".stat-label").get_text(strip=True): s.select_one(".stat-value").get_text(" ", strip=True)
            for s in page.select(".stats .stat")}


# --- kept in the same transaction as the orders -------------------------------------------------------

def test_a_shop_order_and_its_cancellation_by_staff_keep_the_figures(db, testapp, make, login):
    shop = shop_world(make, prices=("10.00",))
    make.order(shop.company, total="100.00", status=OrderStatus.delivered)
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[0], quantity="3")
    place(testapp)
    placed = orders_of(shop.company)[-1]
    kept, actual = kept_and_actual(db, shop.company)
    assert kept == actual == {(shop.company.id, "EUR"): (2, Decimal("100.00") + placed.total)}

    testapp.reset()
    login(testapp, make.staff())
    form = model_form(testapp.get(f"/admin/sales-order/edit/?id={placed.id}"))
    form["status"] = OrderStatus.cancelled.value
    form.submit()
    db.session.expire_all()
    kept, actual = kept_and_actual(db, shop.company)
    assert kept == actual == {(shop.company.id, "EUR"): (1, Decimal("100.00"))}


def test_every_kind_of_order_change_keeps_the_figures(db, make):
    company, other = make.company(), make.company()
    first = make.order(company, total="121.00")
    second = make.order(company, total="50.00", status=OrderStatus.pending_approval)
    make.order(company, total="70.00", status=OrderStatus.rejected)
    make.order(other, total="999.00")
    invoice = make.invoice(company, total="121.00", order=first)
    make.payment(company, invoice, amount="21.00")
    make.credit_note(company, invoice, total="10.00")
    assert kept_and_actual(db, company)[0] == {(company.id, "EUR"): (2, Decimal("171.00"))}

    first.total = Decimal("150.00")
    second.status = OrderStatus.rejected
    assert kept_and_actual(db, company)[0] == {(company.id, "EUR"): (1, Decimal("150.00"))}
    second.status = OrderStatus.confirmed
    second.currency = "USD"
    kept, actual = kept_and_actual(db, company)
    assert kept == {(company.id, "EUR"): (1, Decimal("150.00")), (company.id, "USD"): (1, Decimal("50.00"))}
    assert {k: v for k, v in kept.items() if v != (0, Decimal(0))} == actual
    db.session.delete(first)
    kept, actual = kept_and_actual(db, company)
    assert kept[(company.id, "EUR")] == (0, Decimal("0.00")) and actual == {(company.id, "USD"): (1, Decimal("50.00"))}
    assert company_figures.kept(other.id) == {(other.id, "EUR"): (1, Decimal("999.00"))}


def test_a_rolled_back_order_takes_its_figures_with_it(db, make):
    company = make.company()
    make.order(company, total="10.00")  # committed
    db.session.add(SalesOrder(company_id=company.id, total=Decimal("20.00"), currency="EUR"))
    db.session.flush()
    assert company_figures.lifetime(company) == company_figures.Lifetime(2, (("EUR", Decimal("30.00")),))
    db.session.rollback()
    assert company_figures.lifetime(company) == company_figures.Lifetime(1, (("EUR", Decimal("10.00")),))


def test_reconcile_reports_and_fixes_broken_rows_and_is_idempotent(app, db, make):
    broken, missing, fine = make.company(), make.company(currency="USD"), make.company()
    make.order(broken, total="40.00")
    make.order(missing, total="25.00")
    make.order(fine, total="5.00")
    db.session.execute(update(CompanyFigures).where(CompanyFigures.company_id == broken.id)
                       .values(orders_count=7, sales_total=Decimal("1.00")))
    db.session.execute(CompanyFigures.__table__.delete().where(CompanyFigures.company_id == missing.id))
    db.session.commit()  # as raw SQL or a bulk import would leave them
    runner = app.test_cli_runner()

    result = runner.invoke(args=["reconcile-figures", "--check"])
    assert result.exit_code == 1
    assert f"company {broken.id} EUR: kept 7 orders / 1.00, actual 1 orders / 40.00" in result.output
    assert f"company {missing.id} USD: kept 0 orders / 0.00, actual 1 orders / 25.00" in result.output
    assert f"company {fine.id}" not in result.output

    result = runner.invoke(args=["reconcile-figures"])
    assert result.exit_code == 0 and "Fixed 2 figure row(s)." in result.output
    assert company_figures.lifetime(broken) == company_figures.Lifetime(1, (("EUR", Decimal("40.00")),))
    assert company_figures.kept(missing.id) == {(missing.id, "USD"): (1, Decimal("25.00"))}
    result = runner.invoke(args=["reconcile-figures"])
    assert result.exit_code == 0 and "OK: every company's figures match its orders." in result.output


# --- the dashboard --------------------------------------------------------------------------------------

def test_dashboard_shows_lifetime_orders_and_sales_to_who_may_see_orders(db, testapp, make, login):
    company = make.company()
    for total in ("1000.00", "234.50"):
        make.order(company, total=total, status=OrderStatus.delivered)
    make.order(company, total="99.00", status=OrderStatus.cancelled)
    make.order(make.company(), total="5000.00")
    res = login(testapp, make.contact(company, role="Viewer"))
    stats = _stats(res)
    assert (stats["Total orders"], stats["Total sales"]) == ("2", "€1,234.50")

    viewer = db.session.execute(select(Role).filter_by(name="Viewer")).scalar_one()
    viewer.permissions = [p for p in viewer.permissions if p != "orders.view"]
    db.session.commit()
    stats = _stats(testapp.get("/dashboard"))
    assert "Total orders" not in stats and "Total sales" not in stats and "Credit limit" in stats


def test_dashboard_credit_figures_agree_with_checkouts_definition(db, testapp, make, login):
    company = make.company(credit_limit=Decimal("2000.00"))
    order = make.order(company, total="300.00", status=OrderStatus.confirmed)
    make.invoice(company, total="100.00", order=order)
    invoice = make.invoice(company, total="400.00", due_in_days=-5, status=InvoiceStatus.partially_paid,
                           amount_paid=Decimal("150.00"))
    make.payment(company, invoice, amount="150.00")
    make.credit_note(company, total="20.00")
    res = login(testapp, make.contact(company, role="Admin"))
    available = credit_limit.available_credit(company)
    assert available == Decimal("2000.00") - Decimal("330.00") - Decimal("200.00")
    assert _stats(res)["Available credit"] == f"€{available:,.2f}"


# --- the document lists: pages without counting the history ----------------------------------------------

def _quote(make, company, i):
    return make.quote(company, created_dt=datetime.now(UTC) - timedelta(days=100 - i))


def _invoice(make, company, i):
    return make.invoice(company, issue_date=clock.today() - timedelta(days=100 - i), status=InvoiceStatus.paid)


def _shipment(make, company, i):
    return make.shipment(company, created_dt=datetime.now(UTC) - timedelta(days=100 - i))


def _receipt(make, company, i):
    return make.payment(company, received_date=clock.today() - timedelta(days=100 - i))


def _credit_note(make, company, i):
    return make.credit_note(company, issue_date=clock.today() - timedelta(days=100 - i))


@pytest.mark.parametrize(("path", "maker"), [("/quotes/", _quote), ("/invoices/", _invoice),
                                             ("/shipments/", _shipment), ("/invoices/receipts", _receipt),
                                             ("/invoices/credit-notes", _credit_note)])
def test_list_pages_cost_the_same_and_page_at_25(db, testapp, make, login, count_queries, path, maker):
    company = make.company()
    login(testapp, make.contact(company, role="Buyer"))
    made = [maker(make, company, 0)]
    db.session.expire_all()
    with count_queries() as one:
        testapp.get(path)
    made += [maker(make, company, i) for i in range(1, 25)]
    db.session.expire_all()
    with count_queries() as full:
        res = testapp.get(path)
    assert full.count == one.count
    whole_history_counts = [s for s in full.statements if re.search(r"count\(\*\).*FROM \(SELECT", s, re.DOTALL)]
    assert not whole_history_counts
    assert len(res.html.select("main table tbody tr")) == 25 and "Older" not in res.text

    made.append(maker(make, company, 25))
    db.session.expire_all()
    with count_queries() as more:
        res = testapp.get(path)
    assert more.count == one.count
    assert "Older" in res.text and "Newer" not in res.text
    res = res.click("Older")
    rows = res.html.select("main table tbody tr")
    assert [r.select_one("td").get_text(strip=True) for r in rows] == [made[0].number]
    assert "Newer" in res.text and "Older" not in res.text and "Page 2" in res.text


def test_a_page_number_out_of_range_is_the_first_page(db, testapp, make, login):
    company = make.company()
    quote = make.quote(company)
    login(testapp, make.contact(company, role="Buyer"))
    for page in ("0", "-3", "abc", "99999999"):
        assert quote.number in testapp.get(f"/quotes/?page={page}").text



# --- under concurrency ----------------------------------------------------------------------------------

def test_orders_placed_at_once_in_parallel_transactions_all_count(app, committed_db, make):
    """Each transaction adds its delta under the row's lock: none is lost (PostgreSQL; SQLite runs one
    writer at a time)."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("PostgreSQL run only: set DATABASE_URL=postgresql://... (CI does)")
    company_id = make.company().id
    start = threading.Barrier(THREADS)

    def worker():
        with app.app_context():
            start.wait(timeout=30)
            for _ in range(PER_THREAD):
                committed_db.session.add(SalesOrder(company_id=company_id, total=Decimal("10.00"), currency="EUR"))
                committed_db.session.commit()
            committed_db.session.remove()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for future in [pool.submit(worker) for _ in range(THREADS)]:
            future.result(timeout=120)
    expected = {(company_id, "EUR"): (THREADS * PER_THREAD, Decimal("10.00") * THREADS * PER_THREAD)}
    assert company_figures.kept(company_id) == company_figures.recomputed(company_id) == expected
