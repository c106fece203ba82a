"""A supplier's documents: the purchase order and bill PDFs (parsed back, only the supplier's own, every
download on the engagement record) and the bill list's status, due date, payment and filters."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal import settings
from portal.models import PortalEvent, PurchaseOrderStatus, SupplierBill, SupplierBillStatus
from portal.services import purchase_order_responses as responses
from portal.services.totals import recompute_totals
from tests.test_quote_pdf import pdf_text


@pytest.fixture
def acme(make):
    return make.supplier(name="Acme Steel")


@pytest.fixture
def client(testapp, make, login, acme):
    login(testapp, make.contact(acme, role="Viewer", name="Vera Viewer"), expect_success=False)
    return testapp


def first_column(res) -> list[str]:
    table = BeautifulSoup(res.text, "html.parser").select_one("main table tbody")
    return [row.select_one("td").get_text(strip=True) for row in table.select("tr")] if table else []


def test_purchase_order_pdf_shows_number_lines_and_totals(db, client, make, acme):
    settings.save({"branding.business_name": "Northwind Supplies"}, commit=False)
    order = make.purchase_order(acme, expected_date=date(2027, 5, 4), notes="Deliver to dock 3")
    make.purchase_order_line(order, "Steel rod 8mm", "100", "2.50")
    make.purchase_order_line(order, "Steel plate 2mm", "4", "80.00")
    db.session.refresh(order)
    recompute_totals(order)
    db.session.commit()

    res = client.get(f"/supplier/purchase-orders/{order.id}").click(description="Download PDF")
    assert res.content_type == "application/pdf"
    assert res.headers["Content-Disposition"] == f'attachment; filename="purchase-order-{order.number}.pdf"'
    text = pdf_text(res.body)
    for shown in (f"Purchase order {order.number}", "Northwind Supplies", "Acme Steel", "Steel rod 8mm",
                  "Steel plate 2mm", "€250.00", "€320.00", "04 May 2027", "Deliver to dock 3",
                  f"Total €{order.total:,.2f}"):
        assert shown in text, shown
    event = db.session.execute(select(PortalEvent).filter_by(kind="purchase_order_pdf_downloaded")).scalar_one()
    assert (event.subject_type, event.subject_id, event.company_id) == ("purchase_order", order.id, acme.id)
    assert event.data["recipient_name"] == "Vera Viewer"


def test_bill_pdf_shows_what_was_paid_and_what_is_left(db, client, make, acme):
    order = make.purchase_order(acme)
    bill = make.supplier_bill(acme, purchase_order_id=order.id, supplier_reference="ACME-77",
                              status=SupplierBillStatus.approved, due_date=date(2027, 4, 30),
                              amount_paid=Decimal("200.00"))
    res = client.get(f"/supplier/bills/{bill.id}").click(description="Download PDF")
    assert res.headers["Content-Disposition"] == f'attachment; filename="bill-{bill.number}.pdf"'
    text = pdf_text(res.body)
    for shown in (f"Bill {bill.number}", "ACME-77", "30 Apr 2027", "Approved", order.number, "€200.00",
                  "Outstanding €300.00"):
        assert shown in text, shown
    assert db.session.execute(select(PortalEvent).filter_by(kind="supplier_bill_pdf_downloaded")).scalar_one()


def test_a_draft_order_s_pdf_is_404_and_its_number_stays_off_the_bill_pdf(db, client, make, acme):
    draft = make.purchase_order(acme, status=PurchaseOrderStatus.draft)
    bill = make.supplier_bill(acme, purchase_order_id=draft.id)
    client.get(f"/supplier/purchase-orders/{draft.id}/pdf", status=404)
    assert draft.number not in pdf_text(client.get(f"/supplier/bills/{bill.id}/pdf").body)


def test_pdf_in_dutch_for_a_contact_who_reads_dutch(db, testapp, make, login, acme):
    order = make.purchase_order(acme)
    make.purchase_order_line(order, "Staalstaaf", "2", "5.00")
    login(testapp, make.contact(acme, role="Buyer", language="nl"), expect_success=False)
    text = pdf_text(testapp.get(f"/supplier/purchase-orders/{order.id}/pdf").body)
    assert f"Inkooporder {order.number}" in text and "Staalstaaf" in text


# --- the bill list --------------------------------------------------------------------------------------

def test_bills_show_status_due_date_payment_and_paid_date(db, client, make, acme):
    paid = make.supplier_bill(acme, status=SupplierBillStatus.paid, amount_paid=Decimal("500.00"),
                              paid_date=date(2027, 1, 12), bill_date=date(2026, 12, 1))
    open_bill = make.supplier_bill(acme, status=SupplierBillStatus.approved, due_date=date(2027, 2, 1),
                                   amount_paid=Decimal("100.00"), bill_date=date(2026, 12, 2))
    res = client.get("/supplier/bills")
    rows = {tr.select_one("td").get_text(strip=True): tr.get_text(" ", strip=True)
            for tr in res.html.select("main table tbody tr")}
    assert "12 Jan 2027" in rows[paid.number] and "Paid" in rows[paid.number]
    assert "01 Feb 2027" in rows[open_bill.number] and "€400.00" in rows[open_bill.number]
    page = res.click(paid.number)
    assert page.html.select_one('[data-testid="bill-paid-date"]').get_text() == "12 Jan 2027"


def test_bills_filtered_by_status(db, client, make, acme):
    paid = make.supplier_bill(acme, status=SupplierBillStatus.paid, amount_paid=Decimal("500.00"))
    disputed = make.supplier_bill(acme, status=SupplierBillStatus.disputed)
    received = make.supplier_bill(acme, status=SupplierBillStatus.received)
    res = client.get("/supplier/bills")
    assert sorted(first_column(res)) == sorted([paid.number, disputed.number, received.number])
    assert first_column(res.click("Still to pay", href="status=unpaid")) == [received.number, disputed.number]
    assert first_column(res.click("Disputed", href="status=disputed")) == [disputed.number]
    assert first_column(res.click("Paid", href="status=paid")) == [paid.number]
    assert sorted(first_column(client.get("/supplier/bills?status=nonsense"))) == sorted(
        [paid.number, disputed.number, received.number])
    assert "No bills with this status." in client.get("/supplier/bills?status=approved").text


def test_staff_marking_a_bill_paid_stamps_the_paid_date(db, make, acme):
    bill = SupplierBill(status=SupplierBillStatus.paid)
    responses.settle_paid_date(bill)
    assert bill.paid_date is not None
    bill.status = SupplierBillStatus.disputed
    responses.settle_paid_date(bill)
    assert bill.paid_date is None
