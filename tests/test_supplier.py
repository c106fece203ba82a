"""Supplier documents feature: supplier contacts see our purchase orders and their bills."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from portal import settings
from portal.blueprints.supplier import services
from portal.models import PurchaseOrderStatus, SupplierBill, SupplierBillStatus


def first_column(res) -> list[str]:
    table = BeautifulSoup(res.text, "html.parser").select_one("main table tbody")
    return [row.select_one("td").get_text(strip=True) for row in table.select("tr")] if table else []


@pytest.fixture
def signed_in_supplier(testapp, make, login):
    """A contact of supplier A (supplier-only companies have no dashboard, so we do not follow the login)."""
    a, b = make.supplier(name="Acme Steel"), make.supplier(name="Bolt Brothers")
    login(testapp, make.contact(a, role="Buyer"), expect_success=False)
    return testapp, a, b


def test_balance_due_is_what_is_left_to_pay():
    assert services.balance_due(SupplierBill(total=Decimal("500.00"), amount_paid=Decimal("120.50"))) == Decimal(
        "379.50")
    assert services.balance_due(SupplierBill(total=Decimal("500.00"), amount_paid=None)) == Decimal("500.00")


def test_supplier_sees_own_purchase_orders_but_not_drafts_or_another_suppliers(signed_in_supplier, make):
    client, a, b = signed_in_supplier
    older = make.purchase_order(a, order_date=date.today() - timedelta(days=9))
    newer = make.purchase_order(a, status=PurchaseOrderStatus.acknowledged)
    draft = make.purchase_order(a, status=PurchaseOrderStatus.draft)
    theirs = make.purchase_order(b)

    res = client.get("/supplier/")
    assert first_column(res) == [newer.number, older.number]
    assert "€500.00" in res.text
    assert draft.number not in res.text and theirs.number not in res.text
    for hidden in (draft, theirs):
        assert client.get(f"/supplier/purchase-orders/{hidden.id}", expect_errors=True).status_int == 404


def test_purchase_order_detail_shows_lines_totals_and_its_bills(signed_in_supplier, make):
    client, a, _ = signed_in_supplier
    order = make.purchase_order(a, expected_date=date(2026, 5, 4), notes="Deliver to dock 3")
    make.purchase_order_line(order, "Steel rod 8mm", "100", "2.50")
    bill = make.supplier_bill(a, purchase_order_id=order.id, supplier_reference="ACME-77")
    other_bill = make.supplier_bill(a, supplier_reference="ACME-78")

    res = client.get("/supplier/").click(order.number)
    assert "Steel rod 8mm" in res.text and "€2.50" in res.text and "€250.00" in res.text
    assert "04 May 2026" in res.text and "Deliver to dock 3" in res.text
    assert "ACME-77" in res.text and "ACME-78" not in res.text
    assert res.click(bill.number).request.path == f"/supplier/bills/{bill.id}"
    assert other_bill.number not in res.text


def test_bills_list_and_detail_show_status_due_date_and_payment(signed_in_supplier, make):
    client, a, b = signed_in_supplier
    order = make.purchase_order(a)
    bill = make.supplier_bill(a, purchase_order_id=order.id, status=SupplierBillStatus.approved,
                              due_date=date(2026, 4, 30), amount_paid=Decimal("200.00"), supplier_reference="ACME-9")
    theirs = make.supplier_bill(b, supplier_reference="BOLT-1")

    res = client.get("/supplier/bills")
    assert first_column(res) == [bill.number]
    assert "ACME-9" in res.text and "BOLT-1" not in res.text and order.number in res.text
    res = res.click(bill.number)
    assert "Approved" in res.text and "30 Apr 2026" in res.text
    assert BeautifulSoup(res.text, "html.parser").select_one('[data-testid="bill-outstanding"]').get_text() == (
        "€300.00")
    assert "€200.00" in res.text
    assert client.get(f"/supplier/bills/{theirs.id}", expect_errors=True).status_int == 404


def test_money_shows_in_the_documents_currency(testapp, make, login):
    supplier = make.supplier(currency="USD")
    order = make.purchase_order(supplier, currency="USD")
    login(testapp, make.contact(supplier), expect_success=False)
    assert "$500.00" in testapp.get("/supplier/").text
    assert "$500.00" in testapp.get(f"/supplier/purchase-orders/{order.id}").text


def test_empty_states(signed_in_supplier):
    client, _, _ = signed_in_supplier
    assert "We have no purchase orders with you yet." in client.get("/supplier/").text
    assert "We have no bills from you on record yet." in client.get("/supplier/bills").text


def test_supplier_nav_entry(signed_in_supplier):
    client, _, _ = signed_in_supplier
    nav = BeautifulSoup(client.get("/supplier/bills").text, "html.parser").select_one('nav[aria-label="Main"]')
    assert nav.find("a", href="/supplier/") is not None


# --- who may see them ----------------------------------------------------------------------------

def supplier_urls(make, supplier) -> list[str]:
    order = make.purchase_order(supplier)
    bill = make.supplier_bill(supplier)
    return ["/supplier/", "/supplier/bills", f"/supplier/purchase-orders/{order.id}", f"/supplier/bills/{bill.id}"]


def test_customer_only_company_gets_404_and_no_nav_entry(testapp, make, login):
    customer = make.company()
    urls = supplier_urls(make, customer)  # even documents filed under the customer's own company
    res = login(testapp, make.contact(customer, role="Admin"))
    assert 'href="/supplier/"' not in res.text
    for url in urls:
        assert testapp.get(url, expect_errors=True).status_int == 404, url


def test_contact_of_a_company_that_is_both_sees_supplier_documents(testapp, make, login):
    both = make.company(is_supplier=True)
    urls = supplier_urls(make, both)
    res = login(testapp, make.contact(both, role="Viewer"))
    assert 'href="/supplier/"' in res.text
    for url in urls:
        assert testapp.get(url).status_int == 200, url


def test_role_without_the_view_permission_gets_403(testapp, make, login, db):
    supplier = make.supplier()
    urls = supplier_urls(make, supplier)
    role = make.role("Buyer")
    role.permissions = [p for p in role.permissions if p != "supplier.view"]
    db.session.commit()
    login(testapp, make.contact(supplier, role="Buyer"), expect_success=False)
    for url in urls:
        assert testapp.get(url, expect_errors=True).status_int == 403, url


def test_feature_off_is_404(signed_in_supplier, make):
    client, a, _ = signed_in_supplier
    urls = supplier_urls(make, a)
    settings.set_feature("supplier", False)
    for url in urls:
        assert client.get(url, expect_errors=True).status_int == 404, url


# --- performance ---------------------------------------------------------------------------------

def test_bills_list_runs_the_same_number_of_queries_for_3_or_20_bills(signed_in_supplier, make, db, count_queries):
    client, a, _ = signed_in_supplier

    def count() -> int:
        db.session.expire_all()
        with count_queries() as counter:
            client.get("/supplier/bills")
        return counter.count

    def add(n):
        for _ in range(n):
            make.supplier_bill(a, purchase_order_id=make.purchase_order(a).id)

    add(3)
    client.get("/supplier/bills")
    few = count()
    add(17)
    many = count()
    assert len(first_column(client.get("/supplier/bills"))) == 20
    assert few == many


def test_supplier_home_shows_open_purchase_orders_and_the_bills_still_to_pay(signed_in_supplier, make):
    client, a, b = signed_in_supplier
    today = date.today()
    sent = make.purchase_order(a, status=PurchaseOrderStatus.sent, order_date=today, expected_date=today + timedelta(days=9))
    acked = make.purchase_order(a, status=PurchaseOrderStatus.acknowledged, order_date=today,
                                expected_date=today + timedelta(days=3))
    received = make.purchase_order(a, status=PurchaseOrderStatus.received, order_date=today)
    draft = make.purchase_order(a, status=PurchaseOrderStatus.draft, order_date=today)
    theirs = make.purchase_order(b, status=PurchaseOrderStatus.sent, order_date=today)
    due = make.supplier_bill(a, status=SupplierBillStatus.approved, bill_date=today, due_date=today + timedelta(days=20),
                             amount_paid=Decimal("200.00"))
    paid = make.supplier_bill(a, status=SupplierBillStatus.paid, bill_date=today, amount_paid=Decimal("500.00"))

    page = BeautifulSoup(client.get("/").text, "html.parser")
    orders = page.find("h2", string="Open purchase orders").find_parent("section")
    assert [a.get_text() for a in orders.select("td.doc-number a")] == [acked.number, sent.number]  # soonest first
    for other in (received, draft, theirs):
        assert other.number not in page.get_text()
    bills = page.find("h2", string="Bills we still have to pay").find_parent("section")
    assert [a.get_text() for a in bills.select("td.doc-number a")] == [due.number]
    assert "€300.00" in bills.get_text() and paid.number not in page.get_text()


def test_a_customer_dashboard_shows_no_supplier_blocks(testapp, make, login):
    customer = make.company(name="Just A Customer")
    make.purchase_order(customer, status=PurchaseOrderStatus.sent, order_date=date.today())
    res = login(testapp, make.contact(customer, role="Admin"))
    assert "Open purchase orders" not in res.text and "Bills we still have to pay" not in res.text
