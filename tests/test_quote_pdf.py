"""The branded quote PDF: one renderer, downloaded from the Quotations page and from a share link,
parsed back for what it says; every download lands on the engagement record."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from webtest import TestApp

from portal import settings
from portal.models import PortalEvent, QuoteLine
from portal.services import quote_shares
from portal.services.actor import Actor
from portal.services.totals import recompute_totals


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def quote(make):
    company = make.company(name="ACME Tools")
    quote = make.quote(company, title="Warehouse racking", subtotal=Decimal("1180.00"), tax_total=Decimal("247.80"))
    quote.total = Decimal("1427.80")
    make.quote_section(quote, "Installation", [("Mounting", "200.00"), ("Cabling", "80.00")], position=1)
    make.quote_section(quote, "Hardware", [("Rack", "800.00")], position=2)
    return quote


def test_a_customer_downloads_the_branded_pdf_of_what_the_page_shows(testapp, make, login, quote, db):
    settings.save({"branding.business_name": "Northwind Supplies"}, commit=False)
    login(testapp, make.contact(quote.company, role="Viewer", name="Vic Viewer"))
    page = testapp.get(f"/quotes/{quote.id}")
    res = page.click(description="Download PDF")
    assert res.content_type == "application/pdf" and res.body.startswith(b"%PDF")
    assert res.headers["Content-Disposition"] == f'attachment; filename="quote-{quote.number}.pdf"'
    text = pdf_text(res.body)
    for shown in (f"Quote {quote.number} — Warehouse racking", "Northwind Supplies", "Installation", "Hardware",
                  "Mounting", "Cabling", "Rack", "Subtotal €1,180.00", "Tax €247.80", "Total €1,427.80"):
        assert shown in text, shown
    [event] = db.session.execute(select(PortalEvent).filter_by(kind=quote_shares.PDF_DOWNLOADED)).scalars()
    assert event.subject_id == quote.id and event.data["recipient_name"] == "Vic Viewer"


def test_the_link_recipient_downloads_the_pdf_and_the_download_is_tracked(testapp, staff, quote, db):
    raw, link = quote_shares.share(quote, name="Dana Buyer", email="dana@acme.example", by=Actor.of(staff))
    client = TestApp(testapp.app, extra_environ={"REMOTE_ADDR": "198.51.100.4", "HTTP_USER_AGENT": "Phone"})
    res = client.get(f"/quotes/link/{raw}").click(description="Download PDF")
    assert res.headers["Referrer-Policy"] == "no-referrer" and res.headers["Cache-Control"] == "no-store"
    assert "Total €1,427.80" in pdf_text(res.body)
    kinds = [e.kind for e in db.session.execute(select(PortalEvent).order_by(PortalEvent.id)).scalars()]
    assert kinds == [quote_shares.VIEWED, quote_shares.PDF_DOWNLOADED]
    event = db.session.execute(select(PortalEvent).filter_by(kind=quote_shares.PDF_DOWNLOADED)).scalar_one()
    assert (event.ip, event.user_agent, event.data["link_id"]) == ("198.51.100.4", "Phone", link.id)


def test_a_dead_link_gives_no_pdf(testapp, db):
    res = testapp.get("/quotes/link/nonsense/pdf", status=404)
    assert res.content_type == "text/html"


def test_another_companys_quote_has_no_pdf(testapp, make, login, quote, db):
    login(testapp, make.contact(make.company(name="Other"), role="Admin"))
    testapp.get(f"/quotes/{quote.id}/pdf", status=404)


def test_the_client_ticks_optional_lines_and_the_totals_and_pdf_follow(testapp, make, login, db):
    company = make.company(name="ACME Tools")
    quote = make.quote(company, title="Racking")
    quote.lines.clear()
    quote.lines.extend([QuoteLine(description="Rack", quantity=Decimal(2), unit_price=Decimal("500.00"), tax_rate=Decimal(21)),
                        QuoteLine(description="Extended warranty", unit_price=Decimal("150.00"), tax_rate=Decimal(21),
                                  quantity=Decimal(1), optional=True)])
    recompute_totals(quote)
    db.session.flush()
    assert (quote.subtotal, quote.total) == (Decimal("1000.00"), Decimal("1210.00"))
    login(testapp, make.contact(company, role="Viewer"))
    page = testapp.get(f"/quotes/{quote.id}")
    assert "€1,210.00" in page.html.select_one("table.totals").text
    assert "Extended warranty" not in pdf_text(page.click(description="Download PDF").body)
    assert page.forms["options"].method.lower() == "get"
    box = page.html.select_one('input[name="option"]')
    assert box["form"] == "options" and box["value"] == str(quote.lines[1].id) and not box.has_attr("checked")
    ticked = testapp.get(f"/quotes/{quote.id}", {"option": str(quote.lines[1].id)})
    assert "€1,391.50" in ticked.html.select_one("table.totals").text
    text = pdf_text(ticked.click(description="Download PDF").body)
    assert "Extended warranty (optional, included)" in text and "Total €1,391.50" in text
    # an id that is no optional line of this quote changes nothing
    other = testapp.get(f"/quotes/{quote.id}", {"option": str(quote.lines[0].id)})
    assert "€1,210.00" in other.html.select_one("table.totals").text
