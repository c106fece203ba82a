"""The branded PDFs of orders, invoices, credit notes and shipments (delivery notes): downloaded from their
pages, parsed back for number, lines, tax and totals; only the acting company's, only for roles that see
the feature; every download on the engagement record."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from portal import settings
from portal.models import AddressKind, InvoiceStatus, PortalEvent, SalesOrderLine
from portal.services.totals import recompute_totals
from tests.test_quote_pdf import pdf_text


@pytest.fixture
def docs(make, db):
    """An order with lines at 21% and 9% tax, its invoice, a credit note against it and its shipment."""
    company = make.company(name="Alpha Trading", tax_number="NL001234567B01")
    ship_to = make.address(company, line1="Dock Road 7", city="Rotterdam", postcode="3011 AA")
    bill_to = make.address(company, kind=AddressKind.billing, line1="Ledger Lane 2", city="Utrecht")
    order = make.order(company, customer_reference="PO-4471", shipping_address_id=ship_to.id,
                       billing_address_id=bill_to.id)
    order.lines.append(SalesOrderLine(description="Coffee beans 1 kg", quantity=Decimal(4),
                                      unit_price=Decimal("12.50"), tax_rate=Decimal("9.00")))
    order.lines[0].unit_price, order.lines[0].quantity = Decimal("100.00"), Decimal(2)
    recompute_totals(order)
    invoice = make.invoice(company, total="100.00", order_id=order.id)
    invoice.lines[0].tax_rate = Decimal("21.00")
    recompute_totals(invoice)
    note = make.credit_note(company, invoice, total="20.00", reason="Two cups broken")
    shipment = make.shipment(company, order, tracking_number="JD-778")
    db.session.flush()
    return company, order, invoice, note, shipment


def _event(db, kind):
    return db.session.execute(select(PortalEvent).filter_by(kind=kind)).scalar_one()


def test_order_confirmation_pdf_from_the_order_page(testapp, make, login, docs, db):
    company, order, *_ = docs
    settings.save({"branding.business_name": "Northwind Supplies"}, commit=False)
    login(testapp, make.contact(company, role="Buyer", name="Bea Buyer"))
    res = testapp.get(f"/orders/{order.id}").click(description="Download order confirmation")
    assert res.content_type == "application/pdf"
    assert res.headers["Content-Disposition"] == f'attachment; filename="order-{order.number}.pdf"'
    text = pdf_text(res.body)
    for shown in (f"Order confirmation {order.number}", "Northwind Supplies", "PO-4471", "Alpha Trading",
                  "NL001234567B01", "Dock Road 7", "Ledger Lane 2", "Coffee beans 1 kg", "Subtotal €250.00",
                  "Tax 9% on €50.00 €4.50", "Tax 21% on €200.00 €42.00", "Tax total €46.50", "Total €296.50"):
        assert shown in text, shown
    event = _event(db, "order_pdf_downloaded")
    assert (event.subject_type, event.subject_id, event.company_id) == ("order", order.id, company.id)
    assert event.data["recipient_name"] == "Bea Buyer"


def test_invoice_pdf_shows_totals_what_is_due_and_how_to_pay(testapp, make, login, docs, db):
    company, order, invoice, *_ = docs
    settings.save({"invoices.bank_iban": "NL02ABNA0123456789"}, commit=False)
    login(testapp, make.contact(company, role="Viewer"))
    res = testapp.get(f"/invoices/{invoice.id}").click(description="Download PDF")
    assert res.headers["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number}.pdf"'
    text = pdf_text(res.body)
    for shown in (f"Invoice {invoice.number}", order.number, "PO-4471", "Ledger Lane 2", "Subtotal €100.00",
                  "Tax 21% on €100.00 €21.00", "Total €121.00", "Credited €20.00", "Balance due €101.00",
                  "NL02ABNA0123456789"):
        assert shown in text, shown
    assert _event(db, "invoice_pdf_downloaded").subject_id == invoice.id


def test_credit_note_pdf_names_its_invoice(testapp, make, login, docs, db):
    company, _, invoice, note, _ = docs
    login(testapp, make.contact(company, role="Finance"))
    res = testapp.get(f"/invoices/credit-notes/{note.id}").click(description="Download PDF")
    text = pdf_text(res.body)
    for shown in (f"Credit note {note.number}", invoice.number, "Two cups broken", "Total credited €20.00"):
        assert shown in text, shown
    assert _event(db, "credit_note_pdf_downloaded").subject_id == note.id


def test_delivery_note_pdf_lists_quantities_without_prices(testapp, make, login, docs, db):
    company, order, _, _, shipment = docs
    login(testapp, make.contact(company, role="Viewer"))
    res = testapp.get(f"/shipments/{shipment.id}").click(description="Download delivery note")
    assert res.headers["Content-Disposition"] == f'attachment; filename="delivery-note-{shipment.number}.pdf"'
    text = pdf_text(res.body)
    for shown in (f"Delivery note {shipment.number}", order.number, "PO-4471", "JD-778", "Shipped",
                  "Dock Road 7", "Rotterdam", "Coffee beans 1 kg 4 0"):
        assert shown in text, shown
    assert "€" not in text
    assert _event(db, "delivery_note_pdf_downloaded").subject_id == shipment.id


def _urls(order, invoice, note, shipment) -> list[str]:
    return [f"/orders/{order.id}/pdf", f"/invoices/{invoice.id}/pdf", f"/invoices/credit-notes/{note.id}/pdf",
            f"/shipments/{shipment.id}/delivery-note.pdf"]


def test_another_companys_documents_are_not_found_and_nothing_is_recorded(testapp, make, login, docs, db):
    _, order, invoice, note, shipment = docs
    login(testapp, make.contact(make.company(name="Beta Builders"), role="Admin"))
    signed_in = db.session.execute(select(PortalEvent.id)).scalars().all()  # the sign-in itself
    for url in _urls(order, invoice, note, shipment):
        assert testapp.get(url, expect_errors=True).status_int == 404, url
    assert db.session.execute(select(PortalEvent.id)).scalars().all() == signed_in


def test_a_draft_invoice_has_no_pdf(testapp, make, login, docs):
    company, *_ = docs
    draft = make.invoice(company, status=InvoiceStatus.draft)
    login(testapp, make.contact(company, role="Admin"))
    assert testapp.get(f"/invoices/{draft.id}/pdf", expect_errors=True).status_int == 404


def test_roles_without_the_view_permission_get_403(testapp, make, login, docs, db):
    company, order, invoice, note, shipment = docs
    viewer = make.role("Viewer")
    viewer.permissions = [p for p in viewer.permissions
                          if p not in ("orders.view", "invoices.view", "shipments.view")]
    db.session.commit()
    login(testapp, make.contact(company, role="Viewer"))
    for url in _urls(order, invoice, note, shipment):
        assert testapp.get(url, expect_errors=True).status_int == 403, url
