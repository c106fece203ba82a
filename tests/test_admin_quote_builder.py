"""Staff build a quote in the back office's quote builder, over HTTP as a browser without script posts it:
the rows are the form's own fields (line-<n>-<field>, section-<n>-<field>)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.models import ContractPrice, PortalEvent, ProductVisibility, Quote, QuoteStatus
from portal.services import quote_builder
from portal.services.actor import Actor
from portal.services.quote_builder import LineDraft, QuoteDraft, SectionDraft
from tests.fixtures_admin import errors_of


@pytest.fixture
def shop(make, db):
    tier = make.tier("LIST", "List price", is_default=True)
    company = make.company(name="ACME Tools", price_tier_id=tier.id)
    contact = make.contact(company, name="Carla Contact")
    bolt = make.product(sku="BLT-10", name="Hex bolt M10", price="2.50", tier=tier)
    drill = make.product(sku="DRL-200", name="Cordless drill", price="100.00", tier=tier)
    secret = make.product(sku="SEC-1", name="Secret widget", price="5.00", tier=tier,
                          visibility=ProductVisibility.hidden)
    db.session.add(ContractPrice(company_id=company.id, product_id=drill.id, price=Decimal("80.00"), currency="EUR"))
    db.session.commit()
    return {"company": company, "contact": contact, "bolt": bolt, "drill": drill, "secret": secret}


def builder_form(page):
    return page.forms["quote-builder"]


def quote_count(db) -> int:
    return db.session.execute(select(func.count(Quote.id))).scalar_one()


def test_the_quote_list_creates_in_the_builder_and_saves_without_script(admin, db, shop):
    listing = admin.get("/admin/quote/")
    page = listing.click(href="/admin/quote/new/", index=0)
    assert page.html.select_one("h1").get_text(strip=True) == "New quote"
    form = builder_form(page)
    form["company_id"] = str(shop["company"].id)
    form["contact_id"] = str(shop["contact"].id)
    form["title"] = "Workshop refit"
    form["section-0-title"] = "Hardware"        # the spare section row
    form["line-0-sku"] = "DRL-200"              # the spare line rows: price left empty, the customer's is used
    form["line-0-quantity"] = "2"
    form["line-0-section"] = "new-1"
    form["line-1-description"] = "Installation"
    form["line-1-unit_price"] = "150"
    form["line-1-tax_rate"] = "9"
    form["line-2-sku"] = "BLT-10"
    form["line-2-quantity"] = "100"
    form["line-2-optional"] = True
    page = form.submit().follow()

    quote = db.session.execute(select(Quote)).scalar_one()
    assert f"Quote {quote.number} created as a draft." in page.text
    # 2 x 80.00 (contract price, not the 100.00 list price) + 150.00; the optional bolts stay out
    assert (quote.subtotal, quote.tax_total, quote.total) == (Decimal("310.00"), Decimal("47.10"), Decimal("357.10"))
    assert page.html.select_one("#total-total").get_text(strip=True) == "€357.10"
    totals = [td.get_text(strip=True) for td in page.html.select("tr.builder-line td.line-total")]
    assert [t for t in totals if t] == ["€150.00", "€250.00", "€160.00"]  # outside any section first, then Hardware
    groups = page.html.select("tbody.builder-group")
    assert groups[1].select_one(".section-title")["value"] == "Hardware"
    assert groups[1].select_one('[name$="-sku"]')["value"] == "DRL-200"
    assert quote.contact_id == shop["contact"].id and quote.status == QuoteStatus.draft


def test_bad_input_shows_every_message_and_changes_nothing(admin, db, shop):
    quote = quote_builder.save(None, QuoteDraft(company_id=str(shop["company"].id), title="Racking",
                                                lines=[LineDraft(sku="BLT-10", quantity="4")]),
                               by=Actor.system()).quote
    db.session.commit()
    form = builder_form(admin.get(f"/admin/quote/builder/?id={quote.id}"))
    form["title"] = "Changed title"
    form["line-0-quantity"] = "-3"
    form["line-1-sku"] = "SEC-1"
    res = form.submit()
    assert res.status_int == 200
    shown = errors_of(res)
    assert "Line 1: the quantity must be a number above zero" in shown
    assert "Line 2: SEC-1 is not offered to ACME Tools (hidden from them)." in shown
    assert builder_form(res)["line-0-quantity"].value == "-3"  # what was typed is kept to correct
    assert res.html.select_one("#line-0-quantity")["aria-invalid"] == "true"
    db.session.expire_all()
    quote = db.session.get(Quote, quote.id)
    assert quote.title == "Racking" and [ln.quantity for ln in quote.lines] == [Decimal(4)]


def test_an_empty_quote_is_refused(admin, db, shop):
    form = builder_form(admin.get("/admin/quote/new/"))
    form["company_id"] = str(shop["company"].id)
    form["title"] = "Nothing yet"
    res = form.submit()
    assert "Add at least one line" in errors_of(res)
    assert quote_count(db) == 0


def test_editing_a_sent_quote_makes_a_revision_on_the_timeline(admin, db, shop):
    quote = quote_builder.save(None, QuoteDraft(company_id=str(shop["company"].id), title="Racking",
                                                lines=[LineDraft(sku="BLT-10", quantity="4")]), by=Actor.system()).quote
    quote.status = QuoteStatus.changes_requested
    db.session.commit()
    record = admin.get(f"/admin/quote/edit/?id={quote.id}")
    page = record.click(description="Open the quote builder")
    assert "saving a change makes it revision 2" in " ".join(page.html.select_one("#builder-revision-note").text.split())
    form = builder_form(page)
    form["line-0-quantity"] = "40"
    page = form.submit().follow()
    assert f"Quote {quote.number} saved as revision 2" in page.text
    db.session.expire_all()
    quote = db.session.get(Quote, quote.id)
    assert (quote.revision, quote.status, quote.total) == (2, QuoteStatus.sent, Decimal("121.00"))
    timeline = admin.get(f"/admin/quote/edit/?id={quote.id}").html.select_one("#engagement-panel")
    assert "Revised: revision 2" in timeline.get_text(" ", strip=True)
    assert db.session.execute(select(PortalEvent).where(PortalEvent.kind == "quote_revised")).scalar_one()


def test_an_accepted_quote_is_read_only_and_a_post_is_refused(admin, db, shop):
    quote = quote_builder.save(None, QuoteDraft(company_id=str(shop["company"].id), title="Racking",
                                                lines=[LineDraft(sku="BLT-10", quantity="4")]), by=Actor.system()).quote
    db.session.commit()
    form = builder_form(admin.get(f"/admin/quote/builder/?id={quote.id}"))
    quote.status = QuoteStatus.accepted
    db.session.commit()
    page = admin.get(f"/admin/quote/builder/?id={quote.id}")
    assert "is accepted: it is read-only" in page.html.select_one("#builder-closed").text
    assert page.html.select_one("#save-quote") is None
    form["title"] = "Changed after acceptance"
    res = form.submit(status=409)
    assert "read-only" in errors_of(res)
    db.session.expire_all()
    assert db.session.get(Quote, quote.id).title == "Racking"


def test_product_search_gives_this_companys_price(admin, shop):
    found = admin.get("/admin/quote/builder/products/",
                      params={"company_id": shop["company"].id, "q": "DRL"}).json["products"]
    assert [(p["sku"], p["name"], p["unit_price"], p["list_price"]) for p in found] == [
        ("DRL-200", "Cordless drill", "80.00", "100.00")]
    assert admin.get("/admin/quote/builder/products/",
                     params={"company_id": shop["company"].id, "q": "secret"}).json["products"] == []
    res = admin.get("/admin/quote/builder/products/", params={"q": "DRL"}, status=400)
    assert res.json["error"] == "Choose the customer company first."


def test_product_search_is_for_staff_only(testapp, login, make, shop):
    url = f"/admin/quote/builder/products/?company_id={shop['company'].id}&q=DRL"
    assert "/login" in testapp.get(url, status=302).location
    login(testapp, shop["contact"])
    testapp.get(url, status=403)


def test_without_script_a_line_is_removed_by_its_checkbox_and_a_section_by_clearing_its_title(admin, db, shop):
    quote = quote_builder.save(None, QuoteDraft(
        company_id=str(shop["company"].id), title="Racking", sections=[SectionDraft("a", "Hardware")],
        lines=[LineDraft(sku="BLT-10", quantity="4", section="a"), LineDraft(description="Visit", unit_price="30")]),
        by=Actor.system()).quote
    db.session.commit()
    form = builder_form(admin.get(f"/admin/quote/builder/?id={quote.id}"))
    assert form["line-0-description"].value == "Visit"  # numbered as shown: lines outside any section first
    form["line-0-remove"] = True
    form["section-0-title"] = ""
    form.submit().follow()
    db.session.expire_all()
    quote = db.session.get(Quote, quote.id)
    assert quote.sections == []
    assert [(ln.description, ln.section_id, ln.line_total) for ln in quote.lines] == [
        ("Hex bolt M10", None, Decimal("10.00"))]
