"""Issue 9's whole path over HTTP: staff build a quote in the builder and share it; the client opens the
emailed link (read from a real SMTP server), downloads the PDF, asks for changes; staff revise it in the
builder and share again; the client accepts the revision with a typed-name e-signature and gets the
signed PDF by email; the evidence verifies."""
from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from webtest import TestApp

from portal.models import Quote, QuoteSignature, QuoteStatus, SalesOrder
from portal.services import clock
from portal.services.outbox import deliver_due
from tests.fixtures_mail import link_in, text_of

TODAY = clock.today()


@pytest.fixture
def shop(make, db):
    tier = make.tier("LIST", "List price", is_default=True)
    company = make.company(name="ACME Tools", price_tier_id=tier.id)
    make.address(company, kind="shipping", is_default=True)
    contact = make.contact(company, name="Dana Buyer", email="dana@acme.example")
    make.product(sku="RACK-1", name="Pallet rack", price="400.00", tier=tier, on_hand="10")
    make.product(sku="KIT-1", name="Cable kit", price="50.00", tier=tier, on_hand="5")
    db.session.commit()
    return {"company": company, "contact": contact}


def pdf_text(data: bytes) -> str:
    return " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def share(admin, quote_id: int) -> None:
    page = admin.get(f"/admin/quote/edit/?id={quote_id}").click(description="Share…")
    form = page.forms[next(k for k, f in page.forms.items() if "email" in f.fields)]
    form["name"], form["email"] = "Dana Buyer", "dana@acme.example"
    assert "sent to Dana Buyer (dana@acme.example)" in form.submit().follow().text


def test_build_share_view_download_ask_revise_reshare_accept_verify(app, admin, db, shop, mail_app, smtp_server):
    # staff build the quote: two racks and an optional cable kit, at this customer's prices
    form = admin.get("/admin/quote/new/").forms["quote-builder"]
    form["company_id"] = str(shop["company"].id)
    form["contact_id"] = str(shop["contact"].id)
    form["title"] = "Warehouse racking"
    form["valid_until"] = (TODAY + timedelta(days=30)).isoformat()
    form["line-0-sku"], form["line-0-quantity"] = "RACK-1", "2"
    form["line-1-sku"], form["line-1-quantity"], form["line-1-optional"] = "KIT-1", "1", True
    form.submit().follow()
    quote = db.session.execute(select(Quote)).scalar_one()
    assert quote.total == Decimal("968.00")  # 2 × 400 + 21% tax; the optional kit is not in the total
    # staff mark it sent on the quote's record page, then share it
    record = admin.get(f"/admin/quote/edit/?id={quote.id}")
    status_form = record.forms[next(k for k, f in record.forms.items() if "status" in f.fields)]
    status_form["status"] = QuoteStatus.sent.value
    status_form.submit()
    db.session.expire_all()
    assert db.session.get(Quote, quote.id).status == QuoteStatus.sent

    share(admin, quote.id)
    deliver_due(mail_app)
    [first_email] = smtp_server.to("dana@acme.example")
    link = link_in(first_email, "/quotes/link/")
    client = TestApp(admin.app, extra_environ={"REMOTE_ADDR": "203.0.113.9"})
    page = client.get(link)
    assert "Warehouse racking" in page.text and "Pallet rack" in page.text
    pdf = client.get(page.html.select_one("#download-pdf")["href"])
    assert pdf.content_type == "application/pdf" and "968.00" in pdf_text(pdf.body)

    ask = page.forms["request-changes"]
    ask["body"] = "Could you make it three racks?"
    assert "Could you make it three racks?" in ask.submit().follow().text

    # staff revise it in the builder: three racks; the shared quote becomes revision 2
    builder = admin.get(f"/admin/quote/builder/?id={quote.id}").forms["quote-builder"]
    rack_row = next(name[:-len("-sku")] for name, fields in builder.fields.items()
                    if name.endswith("-sku") and fields[0].value == "RACK-1")
    builder[f"{rack_row}-quantity"] = "3"
    assert "saved as revision 2" in builder.submit().follow().text
    db.session.expire_all()
    assert (db.session.get(Quote, quote.id).revision, db.session.get(Quote, quote.id).total) == (2, Decimal("1452.00"))

    share(admin, quote.id)
    deliver_due(mail_app)
    second_email = smtp_server.to("dana@acme.example")[-1]
    new_link = link_in(second_email, "/quotes/link/")
    page = client.get(new_link)
    assert "1,452.00" in page.text

    accept = page.forms["accept"]
    accept["name"], accept["email"], accept["consent"] = "Dana Buyer", "dana@acme.example", True
    done = accept.submit().follow()
    assert "Thank you: you accepted the quote." in done.text
    signature = db.session.execute(select(QuoteSignature)).scalar_one()
    assert signature.revision == 2 and '"total":"1452.00"' in signature.snapshot
    order = db.session.execute(select(SalesOrder)).scalar_one()
    assert order.quote_id == quote.id and order.total == Decimal("1452.00")

    deliver_due(mail_app)
    confirmation = smtp_server.to("dana@acme.example")[-1]
    assert signature.record_hash in text_of(confirmation)
    [attachment] = [part for part in confirmation.walk() if part.get_content_type() == "application/pdf"]
    assert "1,452.00" in pdf_text(attachment.get_content())

    result = app.test_cli_runner().invoke(args=["quotes", "verify", "--quote", quote.number])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output
