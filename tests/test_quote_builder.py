"""The quote builder's one save (services.quote_builder): every refusal changes nothing, totals are the
server's, optional lines stay out of them, and a change to a quote the client was shown is a new revision."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.models import (
    AuditLog,
    Company,
    ContractPrice,
    PortalEvent,
    Product,
    ProductVisibility,
    Quote,
    QuoteStatus,
    User,
)
from portal.services import clock, quote_builder, quote_products, quote_shares, tokens
from portal.services.actor import Actor
from portal.services.quote_builder import BuilderError, LineDraft, QuoteDraft, SectionDraft


@dataclass
class World:
    company: Company
    other: Company
    contact: User
    stranger: User
    bolt: Product
    drill: Product
    hidden: Product
    staff: User


@pytest.fixture
def world(make, db):
    tier = make.tier("LIST", "List price", is_default=True)
    company = make.company(name="ACME Tools", price_tier_id=tier.id)
    other = make.company(name="Other Ltd")
    bolt = make.product(sku="BLT-10", name="Hex bolt M10", price="2.50", tier=tier)
    drill = make.product(sku="DRL-200", name="Cordless drill", price="100.00", tier=tier)
    hidden = make.product(sku="SEC-1", name="Secret widget", price="5.00", tier=tier,
                          visibility=ProductVisibility.hidden)
    db.session.add(ContractPrice(company_id=company.id, product_id=drill.id, price=Decimal("80.00"), currency="EUR"))
    db.session.commit()
    return World(company, other, make.contact(company, name="Carla Contact"), make.contact(other, name="Olaf Other"),
                 bolt, drill, hidden, make.staff(name="Stella Staff"))


def draft(world: World, *lines: LineDraft, **header) -> QuoteDraft:
    values = {"company_id": str(world.company.id), "title": "Workshop refit", **header}
    return QuoteDraft(**values, lines=list(lines))


def quote_count(db) -> int:
    return db.session.execute(select(func.count(Quote.id))).scalar_one()


BOLTS = LineDraft(sku="BLT-10", quantity="10")


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"company_id": ""}, "company_id", "Choose the customer company."),
    ({"company_id": "999999"}, "company_id", "Choose the customer company."),
    ({"title": "   "}, "title", "Give the quote a title."),
    ({"valid_until": "31/12/2030"}, "valid_until", "Enter the validity date as YYYY-MM-DD."),
    ({"valid_until": "2000-01-01"}, "valid_until", "The validity date has passed"),
    ({"lines": []}, "lines", "Add at least one line"),
    ({"lines": [LineDraft(), LineDraft(quantity="3")]}, "lines", "Add at least one line"),
    ({"lines": [LineDraft(sku="NOPE-1")]}, "line-0-sku", "Line 1: no product has the SKU “NOPE-1”: pick one"),
    ({"lines": [BOLTS, LineDraft(sku="SEC-1")]}, "line-1-sku", "Line 2: SEC-1 is not offered to ACME Tools"),
    ({"lines": [LineDraft(sku="BLT-10", quantity="0")]}, "line-0-quantity", "the quantity must be a number above zero"),
    ({"lines": [LineDraft(sku="BLT-10", quantity="-2")]}, "line-0-quantity", "above zero"),
    ({"lines": [LineDraft(sku="BLT-10", quantity="1.2345")]}, "line-0-quantity", "at most 3 decimals"),
    ({"lines": [LineDraft(sku="BLT-10", quantity="lots")]}, "line-0-quantity", "above zero"),
    ({"lines": [LineDraft(sku="BLT-10", unit_price="-1")]}, "line-0-unit_price", "zero or more"),
    ({"lines": [LineDraft(sku="BLT-10", unit_price="1.999")]}, "line-0-unit_price", "at most 2 decimals"),
    ({"lines": [LineDraft(sku="BLT-10", discount_percent="101")]}, "line-0-discount_percent", "from 0 to 100"),
    ({"lines": [LineDraft(sku="BLT-10", tax_rate="abc")]}, "line-0-tax_rate", "from 0 to 100"),
    ({"lines": [LineDraft(description="Installation")]}, "line-0-unit_price", "Line 1: enter a unit price."),
    ({"lines": [LineDraft(unit_price="50")]}, "line-0-description", "describe the line"),
    ({"lines": [LineDraft(sku="BLT-10", quantity="999999999", unit_price="99999")]}, "line-0-quantity", "too large"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(world, db, change, field, message):
    lines = change.pop("lines", [BOLTS])
    before = quote_count(db)
    with pytest.raises(BuilderError) as refused:
        quote_builder.save(None, draft(world, *lines, **change), by=Actor.of(world.staff))
    assert field in refused.value.errors
    assert message in refused.value.errors[field]
    assert quote_count(db) == before


def test_the_contact_must_be_one_of_the_companys_people(world, db):
    with pytest.raises(BuilderError) as refused:
        quote_builder.save(None, draft(world, BOLTS, contact_id=str(world.stranger.id)), by=Actor.of(world.staff))
    assert refused.value.errors == {"contact_id": "The contact must be one of ACME Tools's people (or none)."}
    saved = quote_builder.save(None, draft(world, BOLTS, contact_id=str(world.contact.id)), by=Actor.of(world.staff))
    assert saved.quote.contact_id == world.contact.id


def test_every_bad_line_is_named_at_once(world):
    lines = [LineDraft(sku="NOPE"), BOLTS, LineDraft(sku="BLT-10", quantity="x"), LineDraft(description="Visit")]
    with pytest.raises(BuilderError) as refused:
        quote_builder.save(None, draft(world, *lines), by=Actor.of(world.staff))
    assert set(refused.value.errors) == {"line-0-sku", "line-2-quantity", "line-3-unit_price"}


def test_a_new_quote_is_a_numbered_draft_priced_for_the_customer_and_totalled_by_the_server(world, db):
    lines = [LineDraft(sku="blt-10", quantity="10"),                        # list 2.50
             LineDraft(sku="DRL-200", quantity="2", discount_percent="10"),  # contract 80.00, not list 100.00
             LineDraft(description="Installation", quantity="3", unit_price="45.50", tax_rate="9"),
             LineDraft(sku="DRL-200", optional=True)]
    saved = quote_builder.save(None, draft(world, *lines, valid_until=(clock.today() + timedelta(days=30)).isoformat()),
                               by=Actor.of(world.staff))
    quote = saved.quote
    assert saved.created and not saved.revised
    assert quote.status == QuoteStatus.draft and quote.revision == 1 and quote.number.startswith("Q-")
    got = [(ln.product.sku if ln.product else None, ln.description, ln.unit_price, ln.tax_rate, ln.line_total,
            ln.optional) for ln in quote.lines]
    assert got == [("BLT-10", "Hex bolt M10", Decimal("2.50"), Decimal("21.00"), Decimal("25.00"), False),
                   ("DRL-200", "Cordless drill", Decimal("80.00"), Decimal("21.00"), Decimal("144.00"), False),
                   (None, "Installation", Decimal("45.50"), Decimal(9), Decimal("136.50"), False),
                   ("DRL-200", "Cordless drill", Decimal("80.00"), Decimal("21.00"), Decimal("80.00"), True)]
    # the optional drill stays out: 25 + 144 + 136.50; tax 21% of 169 + 9% of 136.50
    assert (quote.subtotal, quote.tax_total, quote.total) == (Decimal("305.50"), Decimal("47.78"), Decimal("353.28"))
    assert db.session.execute(select(AuditLog).where(AuditLog.action == "quote.created",
                                                     AuditLog.object_id == quote.id)).scalar_one()


def test_a_typed_price_wins_over_the_catalog_and_sections_group_lines(world):
    sections = [SectionDraft("new-a", "Hardware"), SectionDraft("new-b", ""), SectionDraft("new-c", "Labour")]
    lines = [LineDraft(sku="BLT-10", unit_price="2.00", section="new-a"),
             LineDraft(description="Fitting", unit_price="60", section="new-c"),
             LineDraft(description="Travel", unit_price="15", section="new-b")]  # its section has no title: none
    quote = quote_builder.save(None, replace(draft(world, *lines), sections=sections), by=Actor.of(world.staff)).quote
    assert [s.title for s in quote.sections] == ["Hardware", "Labour"]
    assert [(ln.description, ln.section.title if ln.section else None, ln.unit_price) for ln in quote.lines] == [
        ("Hex bolt M10", "Hardware", Decimal("2.00")), ("Fitting", "Labour", Decimal("60.00")),
        ("Travel", None, Decimal("15.00"))]


def test_client_totals_are_never_read(world):
    """The draft carries no totals: a posted line_total is display only."""
    quote = quote_builder.save(None, draft(world, LineDraft(sku="BLT-10", quantity="4", line_total="0.01")),
                               by=Actor.of(world.staff)).quote
    assert quote.lines[0].line_total == Decimal("10.00") and quote.total == Decimal("12.10")


def _revisions(db, quote) -> int:
    return db.session.execute(select(func.count(PortalEvent.id)).where(
        PortalEvent.kind == "quote_revised", PortalEvent.subject_id == quote.id)).scalar_one()


@pytest.mark.parametrize(("status", "revision", "new_status", "events"), [
    (QuoteStatus.draft, 1, QuoteStatus.draft, 0),
    (QuoteStatus.requested, 1, QuoteStatus.requested, 0),
    (QuoteStatus.sent, 2, QuoteStatus.sent, 1),
    (QuoteStatus.changes_requested, 2, QuoteStatus.sent, 1),
    (QuoteStatus.expired, 2, QuoteStatus.sent, 1),
])
def test_changing_a_quote_the_client_was_shown_starts_a_revision(world, db, status, revision, new_status, events):
    quote = quote_builder.save(None, draft(world, BOLTS), by=Actor.of(world.staff)).quote
    quote.status = status
    db.session.commit()
    edited = quote_builder.draft_of(quote)
    edited.lines[0].quantity = "12"
    saved = quote_builder.save(quote, edited, by=Actor.of(world.staff))
    db.session.commit()
    assert (quote.revision, quote.status, _revisions(db, quote)) == (revision, new_status, events)
    assert saved.revised == (events == 1)
    assert quote.total == Decimal("36.30")


def test_saving_a_sent_quote_unchanged_is_no_revision(world, db):
    sectioned = replace(draft(world, replace(BOLTS, section="a"), LineDraft(description="Visit", unit_price="30")),
                        sections=[SectionDraft("a", "Hardware")])  # stored first, shown after the loose visit
    quote = quote_builder.save(None, sectioned, by=Actor.of(world.staff)).quote
    quote.status = QuoteStatus.sent
    db.session.commit()
    saved = quote_builder.save(quote, quote_builder.draft_of(quote), by=Actor.of(world.staff))
    assert not saved.changed and not saved.revised and quote.revision == 1 and _revisions(db, quote) == 0


def test_a_draft_opened_at_an_older_revision_is_refused(world, db):
    quote = quote_builder.save(None, draft(world, BOLTS), by=Actor.of(world.staff)).quote
    quote.status, quote.revision = QuoteStatus.sent, 3
    db.session.commit()
    stale = replace(quote_builder.draft_of(quote), revision="2")
    with pytest.raises(BuilderError, match="now revision 3"):
        quote_builder.save(quote, stale, by=Actor.of(world.staff))


def test_a_shared_quote_stays_with_its_company(world, db):
    quote = quote_builder.save(None, draft(world, BOLTS), by=Actor.of(world.staff)).quote
    quote.status = QuoteStatus.sent
    db.session.commit()
    moved = replace(quote_builder.draft_of(quote), company_id=str(world.other.id))
    with pytest.raises(BuilderError) as refused:
        quote_builder.save(quote, moved, by=Actor.of(world.staff))
    assert "stays theirs" in refused.value.errors["company_id"]


@pytest.mark.parametrize("status", [QuoteStatus.accepted, QuoteStatus.declined])
def test_closed_quotes_are_read_only(world, db, status):
    quote = quote_builder.save(None, draft(world, BOLTS), by=Actor.of(world.staff)).quote
    quote.status = status
    db.session.commit()
    edited = quote_builder.draft_of(quote)
    edited.title = "Sneaky change"
    with pytest.raises(BuilderError, match="read-only"):
        quote_builder.save(quote, edited, by=Actor.of(world.staff))
    db.session.expire_all()
    assert db.session.get(Quote, quote.id).title == "Workshop refit"


def test_lines_are_updated_in_place_removed_and_reordered(world, db):
    quote = quote_builder.save(None, draft(world, BOLTS, LineDraft(description="Visit", unit_price="30")),
                               by=Actor.of(world.staff)).quote
    bolt_line_id = quote.lines[0].id
    edited = quote_builder.draft_of(quote)
    edited.lines = [LineDraft(sku="DRL-200"), edited.lines[0]]  # the visit dropped, a drill first
    quote_builder.save(quote, edited, by=Actor.of(world.staff))
    db.session.commit()
    assert [(ln.position, ln.description) for ln in quote.lines] == [(1, "Cordless drill"), (2, "Hex bolt M10")]
    assert quote.lines[1].id == bolt_line_id
    assert quote.total == Decimal("127.05")  # (80 + 25) * 1.21


def test_the_product_search_prices_for_the_company_and_hides_what_it_may_not_see(world):
    found = quote_products.search(world.company, "drill")
    assert [(c.sku, c.unit_price, c.list_price, c.source) for c in found] == [
        ("DRL-200", Decimal("80.00"), Decimal("100.00"), "contract")]
    assert [c.unit_price for c in quote_products.search(world.other, "DRL")] == [Decimal("100.00")]
    assert quote_products.search(world.company, "secret") == []
    assert [c.sku for c in quote_products.search(world.company, "blt-10")] == ["BLT-10"]
    assert quote_products.search(world.company, "100%_") == []


def test_a_revision_keeps_the_share_link_working_until_the_new_validity_date(world, db):
    first = clock.today() + timedelta(days=10)
    quote = quote_builder.save(None, draft(world, BOLTS, valid_until=first.isoformat()), by=Actor.of(world.staff)).quote
    quote.status = QuoteStatus.sent
    db.session.commit()
    raw, link = quote_shares.share(quote, name="Dana Buyer", email="dana@acme.example", by=Actor.of(world.staff))
    db.session.commit()
    later = clock.today() + timedelta(days=40)
    quote_builder.save(quote, replace(quote_builder.draft_of(quote), valid_until=later.isoformat()),
                       by=Actor.of(world.staff))
    db.session.commit()
    assert tokens.aware(link.expires_dt) == quote_shares.link_expiry(quote)
    assert tokens.aware(link.expires_dt).date() == later + timedelta(days=1)
    assert quote_shares.open_link(raw) == (link, quote)
    assert quote.revision == 2
