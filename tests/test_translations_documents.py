"""PDFs in the reader's language: a contact who chose Dutch downloads Dutch documents (words, money and dates),
an English contact English ones; a PDF attached to an email is in the recipient's language, whoever's request
sent it; a no-login quote link gives the business's language."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from portal import settings
from portal.models import InvoiceStatus
from portal.services import clock, quote_shares
from portal.services.actor import Actor
from portal.services.outbox import deliver_due
from tests.test_quote_acceptance import fill, make_priced_quote


def words(body: bytes) -> str:
    """The PDF's text with every run of white space (no-break spaces too) as one space."""
    return " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).split())


@pytest.fixture
def billed(make, db):
    company = make.company(name="Gamma Goods", currency="EUR")
    invoice = make.invoice(company, total="1234.50", issue_date=date(2026, 3, 5))
    invoice.due_date = date(2026, 4, 4)
    db.session.flush()
    return company, invoice


def test_a_dutch_contact_downloads_the_invoice_pdf_in_dutch(testapp, make, login, billed):
    company, invoice = billed
    login(testapp, make.contact(company, role="Finance", language="nl"))
    text = words(testapp.get(f"/invoices/{invoice.id}/pdf").body)
    for shown in (f"Factuur {invoice.number}", "Uitgegeven", "05 mrt 2026", "04 apr 2026", "Subtotaal",
                  "Openstaand saldo", "Pagina 1 van 1"):
        assert shown in text, shown
    assert "€ 1.234,50" in text  # Dutch money notation
    for english in ("Invoice ", "Subtotal", "Balance due", "Page 1 of 1", "€1,234.50"):
        assert english not in text, english


def test_an_english_contact_gets_the_same_invoice_in_english(testapp, make, login, billed):
    company, invoice = billed
    login(testapp, make.contact(company, role="Finance"))
    text = words(testapp.get(f"/invoices/{invoice.id}/pdf").body)
    for shown in (f"Invoice {invoice.number}", "05 Mar 2026", "Subtotal", "Balance due €1,234.50", "Page 1 of 1"):
        assert shown in text, shown
    assert "Factuur" not in text and "Subtotaal" not in text


def test_a_dutch_contact_downloads_the_statement_pdf_in_dutch(testapp, make, login, billed):
    company, invoice = billed
    make.payment(company, invoice, amount="234.50", received_date=date(2026, 3, 25))
    invoice.status, invoice.amount_paid = InvoiceStatus.partially_paid, Decimal("234.50")
    login(testapp, make.contact(company, role="Finance", language="nl"))
    with clock.frozen(date(2026, 6, 15)):
        text = words(testapp.get("/invoices/statement/pdf?from=2026-03-01&to=2026-05-31").body)
    for shown in ("Rekeningoverzicht", "01 mrt 2026 tot en met 31 mei 2026", "Beginsaldo", "Eindsaldo",
                  "Factuur, vervalt op 04 apr 2026", f"Betaling per bankoverschrijving voor {invoice.number}",
                  "€ 1.234,50", "€ 1.000,00", "Niet vervallen", "Meer dan 90 dagen"):
        assert shown in text, shown
    assert "Opening balance" not in text and "Statement of account" not in text


def test_a_signed_pdf_emailed_to_a_dutch_contact_is_dutch_though_an_english_request_sent_it(
        mail_app, smtp_server, testapp, make, login, db):
    quote = make_priced_quote(make, db)
    make.contact(quote.company, name="Daan Dutch", email="daan@acme.example", language="nl")
    english = make.contact(quote.company, role="Buyer", name="Erin English", email="erin@acme.example")
    client = testapp
    login(client, english)
    page = client.get(f"/quotes/{quote.id}")
    assert '<html lang="en">' in page.text
    fill(page.forms["accept"], name="Daan Dutch", email="daan@acme.example").submit()
    deliver_due(mail_app)

    [email] = smtp_server.to("daan@acme.example")
    [attachment] = [part for part in email.walk() if part.get_content_type() == "application/pdf"]
    text = words(attachment.get_content())
    for shown in (f"Offerte {quote.number}", "Elektronische handtekening", "Geaccepteerd door Daan Dutch",
                  "Subtotaal", "€ 1.000,00"):
        assert shown in text, shown
    assert "Electronic signature" not in text and "€1,000.00" not in text


def test_a_quote_link_pdf_is_in_the_business_language_whoever_is_signed_in(testapp, make, login, staff, db):
    quote = make_priced_quote(make, db)
    raw, _link = quote_shares.share(quote, name="Dana Buyer", email="dana@acme.example", by=Actor.of(staff))
    settings.save({"portal.language": "nl"})
    login(testapp, make.contact(quote.company, language="en"))
    text = words(testapp.get(f"/quotes/link/{raw}/pdf").body)
    assert f"Offerte {quote.number}" in text and "Geldig tot" in text and "€ 1.000,00" in text


# --- the back office in the staff member's language ------------------------------------------------------

def test_a_staff_member_who_chose_dutch_reads_the_back_office_in_dutch(testapp, make, login, db):
    dutch = make.staff(name="Sanne Staf", email="sanne@northwind.example", language="nl")
    login(testapp, dutch)
    home = testapp.get("/admin/")
    assert '<html lang="nl">' in home.text
    for shown in ("Vraagt aandacht", "Snelkoppelingen", "Nieuwe offerte", "Ingelogd als Sanne Staf.", "Uitloggen"):
        assert shown in home.text, shown
    assert "Needs attention" not in home.text and "Sign out" not in home.text
    builder = testapp.get("/admin/quote/new/")
    assert "Klantbedrijf" in builder.text and "Regel 1: product, SKU of naam" in builder.text
    assert "Customer company" not in builder.text
    companies = testapp.get("/admin/company/")
    assert ">Lijst" in companies.text and ">List" not in companies.text  # Flask-Admin's own words, in Dutch too


def test_staff_choose_their_language_on_their_user_record_and_english_staff_are_unchanged(
        testapp, make, login, db):
    english = make.staff(name="Eddie Staff", email="eddie@northwind.example")
    login(testapp, english)
    home = testapp.get("/admin/")
    assert '<html lang="en">' in home.text and "Needs attention" in home.text and "Vraagt aandacht" not in home.text
    form = next(f for f in testapp.get(f"/admin/user/edit/?id={english.id}").forms.values()
                if "language" in f.fields)
    assert [value for value, _selected, _text in form["language"].options] == ["__None", "en", "nl"]
    form["language"] = "nl"
    form.submit("_continue_editing")
    db.session.expire_all()
    assert english.language == "nl"
    assert "Vraagt aandacht" in testapp.get("/admin/").text


def test_the_return_slip_staff_print_is_in_the_language_of_the_customer_who_asked(testapp, make, login, staff, db):
    from portal.blueprints.returns.isolation import make_return
    from portal.models import ReturnRequest, ReturnStatus

    company = make.company(name="Gamma Goods")
    found = db.session.get(ReturnRequest, make_return(company))
    found.requested_by_id, found.status = make.contact(company, language="nl").id, ReturnStatus.requested
    db.session.commit()
    login(testapp, staff)  # English staff
    handling = testapp.get(f"/admin/return-request/handle/?id={found.id}")
    assert "Return instructions" in handling.text  # the screen is the staff member's
    assert "Verpak de artikelen goed" in handling.text  # the suggested instructions go to the customer
    found.status = ReturnStatus.approved
    db.session.commit()
    text = words(testapp.get(f"/admin/return-request/handle/slip/?id={found.id}").body)
    assert f"Retour {found.number}" in text and "In dit pakket" in text and "Return slip" not in text
