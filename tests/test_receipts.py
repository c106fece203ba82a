"""A receipt's own page and branded PDF (Invoices → Receipts): what was paid, when, how, and for which
invoice with what it still owes; the PDF parsed back; every download on the engagement record."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal import settings
from portal.models import InvoiceStatus, PaymentMethod, PortalEvent
from tests.test_quote_pdf import pdf_text


@pytest.fixture
def paid(make):
    company = make.company(name="Alpha Trading")
    invoice = make.invoice(company, total="121.00", status=InvoiceStatus.partially_paid,
                           amount_paid=Decimal("80.00"))
    payment = make.payment(company, invoice, amount="80.00", method=PaymentMethod.direct_debit,
                           received_date=date(2026, 4, 2), reference="DD-778")
    return company, invoice, payment


def test_a_customer_opens_a_receipt_from_the_list_and_downloads_its_pdf(testapp, make, login, paid, db):
    company, invoice, payment = paid
    settings.save({"branding.business_name": "Northwind Supplies"}, commit=False)
    login(testapp, make.contact(company, role="Viewer", name="Vic Viewer"))
    page = testapp.get("/invoices/receipts").click(payment.number)
    assert page.request.path == f"/invoices/receipts/{payment.id}"
    for shown in (f"Receipt {payment.number}", "02 Apr 2026", "Direct debit", "DD-778", invoice.number):
        assert shown in page.text, shown
    assert page.html.select_one('[data-testid="receipt-amount"]').get_text(strip=True) == "€80.00"
    assert page.html.select_one('[data-testid="invoice-balance"]').get_text(strip=True) == "€41.00"
    assert page.click(invoice.number).request.path == f"/invoices/{invoice.id}"

    res = page.click(description="Download PDF")
    assert res.content_type == "application/pdf" and res.body.startswith(b"%PDF")
    assert res.headers["Content-Disposition"] == f'attachment; filename="receipt-{payment.number}.pdf"'
    assert res.headers["Cache-Control"] == "no-store"
    text = pdf_text(res.body)
    for shown in (f"Receipt {payment.number}", "Northwind Supplies", "Alpha Trading", "02 Apr 2026", "Direct debit",
                  "DD-778", "Amount received €80.00", invoice.number, "€121.00 €41.00"):
        assert shown in text, shown
    [event] = db.session.execute(select(PortalEvent).filter_by(kind="receipt_pdf_downloaded")).scalars()
    assert (event.subject_type, event.subject_id, event.company_id) == ("receipt", payment.id, company.id)
    assert event.data["recipient_name"] == "Vic Viewer"


def test_the_invoice_page_links_each_payment_to_its_receipt(testapp, make, login, paid):
    company, invoice, payment = paid
    login(testapp, make.contact(company, role="Buyer"))
    res = testapp.get(f"/invoices/{invoice.id}").click(payment.number)
    assert res.request.path == f"/invoices/receipts/{payment.id}"


@pytest.mark.parametrize("invoice_status", [None, InvoiceStatus.draft])
def test_a_payment_on_account_or_for_a_draft_names_no_invoice(testapp, make, login, invoice_status):
    company = make.company()
    draft = make.invoice(company, status=invoice_status) if invoice_status else None
    payment = make.payment(company, draft, amount="15.00")
    login(testapp, make.contact(company, role="Finance"))
    page = testapp.get(f"/invoices/receipts/{payment.id}")
    assert "On account" in page.text and not page.html.select('[data-testid="invoice-balance"]')
    text = pdf_text(page.click(description="Download PDF").body)
    assert "On account" in text and "Amount received €15.00" in text
    if draft:
        assert draft.number not in page.text and draft.number not in text


def test_another_companys_receipt_is_not_found(testapp, make, login, paid, db):
    _, _, payment = paid
    login(testapp, make.contact(make.company(name="Beta Builders"), role="Admin"))
    for url in (f"/invoices/receipts/{payment.id}", f"/invoices/receipts/{payment.id}/pdf"):
        res = testapp.get(url, expect_errors=True)
        assert res.status_int == 404 and payment.number not in res.text
    assert db.session.execute(select(PortalEvent).filter_by(kind="receipt_pdf_downloaded")).first() is None


def test_a_role_without_invoices_view_gets_403_and_a_guest_signs_in(testapp, make, login, paid, db):
    company, _, payment = paid
    url = f"/invoices/receipts/{payment.id}"
    res = testapp.get(url)
    assert res.status_int == 302 and "/login" in res.location
    viewer = make.role("Viewer")
    viewer.permissions = [p for p in viewer.permissions if p != "invoices.view"]
    db.session.commit()
    login(testapp, make.contact(company, role="Viewer"))
    for path in (url, url + "/pdf"):
        assert testapp.get(path, expect_errors=True).status_int == 403
