"""Credit notes in the back office credit their invoice; every screen keeps documents to one company."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.models import (
    CreditNote,
    Invoice,
    InvoiceStatus,
)
from portal.services import clock, documents
from tests.fixtures_admin import add_inline, delete_from_list, errors_of, model_form, submit_edit
from tests.test_admin_crud import count


def _invoice(db, invoice) -> Invoice:
    db.session.expire_all()
    return db.session.get(Invoice, invoice.id)


def _credited(db, invoice) -> tuple[Decimal, Decimal, InvoiceStatus]:
    stored = _invoice(db, invoice)
    return stored.amount_credited, stored.balance_due, stored.status


def _issue(admin, company, invoice, amount: str, status="issued"):
    form = model_form(admin.get("/admin/credit-note/new/"))
    form["company"] = str(company.id)
    form["invoice"] = str(invoice.id) if invoice is not None else "__None"
    form["status"] = status
    form["reason"] = "Damaged in transit"
    form["issue_date"] = clock.today().isoformat()
    add_inline(form, "lines", 0, description="Dented widget", quantity="1", unit_price=amount,
               discount_percent="0", tax_rate="0")
    return form.submit()


def _the_note(db) -> CreditNote:
    db.session.expire_all()
    return db.session.execute(select(CreditNote)).scalar_one()


def test_a_credit_note_lowers_the_balance_and_settles_a_paid_down_invoice(admin, db, make):
    company = make.company()
    invoice = make.invoice(company, total="100.00", status=InvoiceStatus.partially_paid,
                           amount_paid=Decimal("70.00"))
    _issue(admin, company, invoice, "20.00")
    assert _credited(db, invoice) == (Decimal("20.00"), Decimal("10.00"), InvoiceStatus.partially_paid)
    listing = admin.get("/admin/invoice/")
    assert "€10.00" in listing.html.select_one("table.model-list td.col-balance_due").text
    submit_edit(admin, "credit-note", _the_note(db).id, **{"lines-0-unit_price": "30.00"})
    assert _credited(db, invoice) == (Decimal("30.00"), Decimal("0.00"), InvoiceStatus.paid)


def test_voiding_or_deleting_a_credit_note_gives_the_balance_back(admin, db, make):
    company = make.company()
    invoice = make.invoice(company, total="100.00")
    _issue(admin, company, invoice, "100.00")
    assert _credited(db, invoice) == (Decimal("100.00"), Decimal("0.00"), InvoiceStatus.paid)
    submit_edit(admin, "credit-note", _the_note(db).id, status="void")
    assert _credited(db, invoice) == (Decimal("0.00"), Decimal("100.00"), InvoiceStatus.open)
    submit_edit(admin, "credit-note", _the_note(db).id, status="applied")
    assert _credited(db, invoice) == (Decimal("100.00"), Decimal("0.00"), InvoiceStatus.paid)
    delete_from_list(admin, "/admin/credit-note/", _the_note(db).id)
    assert count(db, CreditNote) == 0
    assert _credited(db, invoice) == (Decimal("0.00"), Decimal("100.00"), InvoiceStatus.open)


def test_a_draft_credit_note_credits_nothing_until_issued(admin, db, make):
    company = make.company()
    invoice = make.invoice(company, total="100.00")
    _issue(admin, company, invoice, "40.00", status="draft")
    assert _credited(db, invoice) == (Decimal("0.00"), Decimal("100.00"), InvoiceStatus.open)
    submit_edit(admin, "credit-note", _the_note(db).id, status="issued")
    assert _credited(db, invoice) == (Decimal("40.00"), Decimal("60.00"), InvoiceStatus.partially_paid)


def test_crediting_more_than_the_invoice_owes_is_a_form_error_and_changes_nothing(admin, db, make):
    company = make.company()
    invoice = make.invoice(company, total="100.00", status=InvoiceStatus.partially_paid,
                           amount_paid=Decimal("90.00"))
    res = _issue(admin, company, invoice, "10.01")
    assert (f"This credit note is more than {invoice.number} still owes (€10.00). Lower it, or issue it without "
            "an invoice to give the company credit instead.") in errors_of(res)
    assert count(db, CreditNote) == 0
    assert _credited(db, invoice) == (Decimal("0.00"), Decimal("10.00"), InvoiceStatus.partially_paid)


def test_a_company_credit_note_credits_no_invoice(admin, db, make):
    company = make.company()
    invoice = make.invoice(company, total="100.00")
    _issue(admin, company, None, "500.00")
    assert _the_note(db).total == Decimal("500.00")
    assert _credited(db, invoice) == (Decimal("0.00"), Decimal("100.00"), InvoiceStatus.open)


def test_the_credited_amount_is_shown_but_only_credit_notes_change_it(admin, db, make):
    company = make.company()
    invoice = make.invoice(company, total="100.00")
    make.credit_note(company, invoice, total="25.00")
    form = model_form(admin.get(f"/admin/invoice/edit/?id={invoice.id}"))
    assert form["amount_credited"].value == "25.00" and "readonly" in form["amount_credited"].attrs
    form["amount_credited"] = "0.00"  # what a tampered post would send
    form["lines-0-tax_rate"] = "0"
    form.submit()
    assert _credited(db, invoice) == (Decimal("25.00"), Decimal("75.00"), InvoiceStatus.partially_paid)


def test_lowering_an_invoice_below_its_credit_notes_is_a_form_error(admin, db, make):
    company = make.company()
    invoice = make.invoice(company, total="100.00")
    make.credit_note(company, invoice, total="60.00")
    res = submit_edit(admin, "invoice", invoice.id, **{"lines-0-unit_price": "50.00", "lines-0-tax_rate": "0"})
    assert ("Payments of €0.00 and credit notes of €60.00 are recorded on this invoice, more than its new total "
            "of €50.00: change them first.") in errors_of(res)
    assert _invoice(db, invoice).total == Decimal("100.00")


# --- one company per document: the same messages on every screen ----------------------------------------

def _shipment(make, company):
    return make.shipment(company)


SCREENS = [
    ("invoice", lambda make, c: make.invoice(c), "order", lambda make, c: make.order(c),
     "Choose an order of this invoice's company."),
    ("credit-note", lambda make, c: make.credit_note(c), "invoice", lambda make, c: make.invoice(c),
     "Choose an invoice of this credit note's company."),
    ("payment", lambda make, c: make.payment(c), "invoice", lambda make, c: make.invoice(c),
     "Choose an invoice of this payment's company."),
    ("shipment", _shipment, "order", lambda make, c: make.order(c), "Choose an order of this shipment's company."),
    ("supplier-bill", lambda make, c: make.supplier_bill(c), "purchase_order", lambda make, c: make.purchase_order(c),
     "Choose a purchase order of this supplier."),
    ("sales-order", lambda make, c: make.order(c), "shipping_address", lambda make, c: make.address(c),
     "Choose an address of this order's company."),
]


@pytest.mark.parametrize(("screen", "make_document", "field", "make_linked", "message"), SCREENS,
                         ids=[s[0] for s in SCREENS])
def test_linking_another_companys_document_is_a_form_error(admin, db, make, screen, make_document, field,
                                                           make_linked, message):
    supplier_screen = screen == "supplier-bill"
    mine, theirs = ((make.supplier(), make.supplier()) if supplier_screen else (make.company(), make.company()))
    document = make_document(make, mine)
    assert field in dict(documents.COMPANY_LINKS[type(document)])
    other = make_linked(make, theirs)
    res = submit_edit(admin, screen, document.id, **{field: str(other.id)})
    assert message in errors_of(res)
    db.session.expire_all()
    assert getattr(db.session.get(type(document), document.id), field) is None
    own = make_linked(make, mine)
    res = submit_edit(admin, screen, document.id, **{field: str(own.id)})
    assert errors_of(res) == ""
    db.session.expire_all()
    assert getattr(db.session.get(type(document), document.id), field).id == own.id


def test_every_declared_link_is_checked_on_its_screen():
    assert len(SCREENS) == sum(len(links) for links in documents.COMPANY_LINKS.values())
