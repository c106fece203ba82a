"""A client accepts a quote with a typed-name e-signature: by its share link (acting for the recipient) or
signed in with the accept permission. The acceptance is evidence (snapshot, PDF, consent, chain), closes
the quote (or makes it ready for billing behind the finance gate), reserves stock, creates the order and a
draft delivery note, tells staff and emails the signer the signed PDF."""
from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from webtest import TestApp

from portal import settings
from portal.models import (
    AuditLog,
    Invoice,
    InvoiceStatus,
    Notification,
    NotificationRoute,
    OutboxEmail,
    PortalEvent,
    Product,
    QuoteLine,
    QuoteSignature,
    QuoteStatus,
    SalesOrder,
    Shipment,
    ShipmentStatus,
)
from portal.services import clock, quote_acceptance, quote_shares
from portal.services.actor import Actor
from portal.services.outbox import deliver_due
from portal.services.quote_snapshot import CONSENT_TEXT, sha256_hex
from portal.services.totals import recompute_totals
from tests.fixtures_mail import text_of


def make_priced_quote(make, db, company=None, tag: str = ""):
    """ACME's quote: 2 racks (stock kept) at 400, installation (free text) 200, an optional cable kit (stock
    kept) at 50; 21% tax."""
    company = company or make.company(name="ACME Tools")
    make.address(company, kind="shipping", is_default=True)
    rack = make.product(name="Pallet rack", sku=f"RACK-1{tag}", on_hand="5")
    kit = make.product(name="Cable kit", sku=f"KIT-1{tag}", on_hand="3")
    quote = make.quote(company, title="Warehouse racking", valid_until=clock.today() + timedelta(days=10),
                       terms="Payment within 30 days.")
    quote.lines.clear()
    quote.lines += [
        QuoteLine(position=1, product_id=rack.id, description="Pallet rack", quantity=Decimal(2),
                  unit_price=Decimal("400.00")),
        QuoteLine(position=2, description="Installation", quantity=Decimal(1), unit_price=Decimal("200.00")),
        QuoteLine(position=3, product_id=kit.id, description="Cable kit", quantity=Decimal(1),
                  unit_price=Decimal("50.00"), optional=True)]
    recompute_totals(quote)
    db.session.commit()
    return quote


@pytest.fixture
def quote(make, db):
    return make_priced_quote(make, db)


def optional_line(quote) -> QuoteLine:
    return next(line for line in quote.lines if line.optional)


def share(quote, staff, db, email="dana@acme.example"):
    raw, link = quote_shares.share(quote, name="Dana Buyer", email=email, by=Actor.of(staff))
    db.session.commit()
    return raw, link


def fill(form, name="Dana  van Buyer", email="dana@acme.example", consent=True):
    form["name"] = name
    form["email"] = email
    form["consent"] = consent
    return form


def tick(form, *line_ids):
    for field in form.fields.get("option", []):
        field.checked = int(field._value) in line_ids


def count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_link_recipient_accepts_with_a_typed_name_and_the_evidence_is_recorded(app, staff, quote, db):
    raw, link = share(quote, staff, db)
    client = TestApp(app, extra_environ={"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "PhoneBrowser/1.0"})
    page = client.get(f"/quotes/link/{raw}")
    form = page.forms["accept"]
    assert CONSENT_TEXT in page.text and form["email"].value == "dana@acme.example"
    fill(form)
    tick(form, optional_line(quote).id)
    done = form.submit().follow()

    assert "Thank you: you accepted the quote. The signed PDF is on its way to dana@acme.example." in done.text
    assert "accept" not in done.forms and "request-changes" not in done.forms
    signature = db.session.execute(select(QuoteSignature)).scalar_one()
    assert signature.signer_name == "Dana  van Buyer"  # exactly as typed
    assert (signature.link_id, signature.user_id, signature.revision) == (link.id, None, 1)
    assert (signature.ip, signature.user_agent) == ("203.0.113.9", "PhoneBrowser/1.0")
    assert signature.consent_sha256 == sha256_hex(CONSENT_TEXT)
    assert signature.snapshot_sha256 == sha256_hex(signature.snapshot)
    assert signature.pdf.startswith(b"%PDF") and signature.pdf_sha256 == sha256_hex(signature.pdf)
    assert '"total":"1270.50"' in signature.snapshot and '"included":true,"line_total":"50.00"' in signature.snapshot
    db.session.refresh(quote)
    assert quote.status == QuoteStatus.accepted and quote.accepted_name == "Dana  van Buyer"
    assert quote.signature_hash == signature.record_hash and quote.accepted_dt is not None
    assert signature.record_hash in done.text
    event = db.session.execute(select(PortalEvent).filter_by(kind="quote_accepted")).scalar_one()
    assert event.data["link_id"] == link.id and event.data["record_hash"] == signature.record_hash
    assert db.session.execute(select(AuditLog).filter_by(action="quote.accepted")).scalar_one().object_id == quote.id


def test_the_order_and_draft_delivery_note_hold_the_accepted_lines_and_stock_is_reserved(app, staff, quote, db):
    raw, _link = share(quote, staff, db)
    form = fill(TestApp(app).get(f"/quotes/link/{raw}").forms["accept"])
    tick(form, optional_line(quote).id)
    form.submit().follow()

    order = db.session.execute(select(SalesOrder)).scalar_one()
    assert order.quote_id == quote.id and order.company_id == quote.company_id
    assert [(ln.description, ln.quantity, ln.unit_price, ln.line_total) for ln in order.lines] == [
        ("Pallet rack", Decimal(2), Decimal("400.00"), Decimal("800.00")),
        ("Installation", Decimal(1), Decimal("200.00"), Decimal("200.00")),
        ("Cable kit", Decimal(1), Decimal("50.00"), Decimal("50.00"))]
    assert (order.subtotal, order.tax_total, order.total) == (Decimal("1050.00"), Decimal("220.50"),
                                                              Decimal("1270.50"))
    shipment = db.session.execute(select(Shipment)).scalar_one()
    assert shipment.order_id == order.id and shipment.status == ShipmentStatus.preparing
    reserved = {p.sku: p.stock.reserved for p in db.session.execute(select(Product)).scalars()}
    assert reserved == {"RACK-1": Decimal(2), "KIT-1": Decimal(1)}


def test_an_optional_line_left_unticked_stays_out_of_the_order(app, staff, quote, db):
    raw, _link = share(quote, staff, db)
    fill(TestApp(app).get(f"/quotes/link/{raw}").forms["accept"]).submit().follow()
    order = db.session.execute(select(SalesOrder)).scalar_one()
    assert [ln.description for ln in order.lines] == ["Pallet rack", "Installation"]
    assert order.total == Decimal("1210.00")
    assert db.session.get(Product, optional_line(quote).product_id).stock.reserved == 0


@pytest.mark.parametrize("role", ["Admin", "Buyer"])
def test_a_signed_in_contact_with_the_accept_permission_accepts(testapp, make, login, quote, db, role):
    contact = make.contact(quote.company, role=role, name=f"{role} Person", email=f"{role.lower()}@acme.example")
    login(testapp, contact)
    form = testapp.get(f"/quotes/{quote.id}").forms["accept"]
    assert form["email"].value == f"{role.lower()}@acme.example"
    fill(form, name=f"{role} Person", email=f"{role.lower()}@acme.example")
    done = form.submit().follow()
    assert "you accepted the quote" in done.text and "Accepted by" in done.text
    signature = db.session.execute(select(QuoteSignature)).scalar_one()
    assert (signature.user_id, signature.link_id) == (contact.id, None)
    order = db.session.execute(select(SalesOrder)).scalar_one()
    assert order.placed_by_id == contact.id
    # the customer follows the order and its delivery note like any other
    assert "Pallet rack" in testapp.get(f"/orders/{order.id}").text
    shipment = db.session.execute(select(Shipment)).scalar_one()
    assert shipment.number in testapp.get("/shipments/").text
    assert testapp.get(f"/shipments/{shipment.id}").status_int == 200


@pytest.mark.parametrize("role", ["Viewer", "Finance"])
def test_roles_without_the_accept_permission_see_no_accept_form_and_cannot_post(testapp, make, login, quote, db,
                                                                                 role):
    login(testapp, make.contact(quote.company, role=role))
    page = testapp.get(f"/quotes/{quote.id}")
    assert "accept" not in page.forms and "Accept this quote" not in page.text
    token = page.forms["request-changes"]["csrf_token"].value
    testapp.post(f"/quotes/{quote.id}/accept", {"csrf_token": token, "name": "Vic", "email": "vic@acme.example",
                                                "consent": "y"}, status=403)
    assert quote.status == QuoteStatus.sent and count(db, QuoteSignature) == 0


def test_another_companys_quote_cannot_be_accepted(testapp, make, login, quote, db):
    other = make.company(name="Other Co")
    login(testapp, make.contact(other, role="Buyer"))
    token = next(f for f in testapp.get("/quotes/").forms.values() if "csrf_token" in f.fields)["csrf_token"].value
    testapp.post(f"/quotes/{quote.id}/accept", {"csrf_token": token, "name": "X", "email": "x@other.example",
                                                "consent": "y"}, status=404)
    assert count(db, QuoteSignature) == 0


@pytest.mark.parametrize("change, message", [
    ({"name": "   "}, "Type your full name: it is your signature."),
    ({"email": "dana-at-acme"}, "Enter a valid email address"),
    ({"email": ""}, "Enter a valid email address"),
    ({"consent": False}, "Tick the box to agree that your typed name is your electronic signature."),
])
def test_bad_input_is_a_clear_message_and_changes_nothing(app, staff, quote, db, change, message):
    raw, _link = share(quote, staff, db)
    form = fill(TestApp(app).get(f"/quotes/link/{raw}").forms["accept"], **change)
    page = form.submit()
    assert page.status_int == 200 and message in page.text
    assert page.forms["accept"]["email"].value == change.get("email", "dana@acme.example")  # kept as typed
    assert_nothing_changed(db, quote)


def assert_nothing_changed(db, quote):
    db.session.refresh(quote)
    assert quote.status == QuoteStatus.sent and quote.accepted_name is None and quote.signature_hash is None
    assert count(db, QuoteSignature) == count(db, SalesOrder) == count(db, Shipment) == 0
    assert all(p.stock.reserved == 0 for p in db.session.execute(select(Product)).scalars())


@pytest.mark.parametrize("option", ["999999", "abc", "²", "99999999999999999999"])
def test_an_unknown_optional_line_is_refused(app, staff, quote, db, option):
    raw, _link = share(quote, staff, db)
    client = TestApp(app)
    form = fill(client.get(f"/quotes/link/{raw}").forms["accept"])
    fields = dict(form.submit_fields())
    fields["option"] = option
    page = client.post(f"/quotes/link/{raw}/accept", fields)
    assert "One of the optional lines you chose is not part of this quote." in page.text
    assert_nothing_changed(db, quote)


def test_a_non_optional_line_posted_as_an_option_is_refused(app, staff, quote, db):
    raw, _link = share(quote, staff, db)
    client = TestApp(app)
    fields = dict(fill(client.get(f"/quotes/link/{raw}").forms["accept"]).submit_fields())
    fields["option"] = str(quote.lines[0].id)
    assert "not part of this quote" in client.post(f"/quotes/link/{raw}/accept", fields).text
    assert_nothing_changed(db, quote)


def test_a_revoked_or_expired_link_accepts_nothing(app, staff, quote, db):
    raw, link = share(quote, staff, db)
    client = TestApp(app)
    fields = dict(fill(client.get(f"/quotes/link/{raw}").forms["accept"]).submit_fields())
    with clock.frozen(clock.today() + timedelta(days=11)):
        page = client.post(f"/quotes/link/{raw}/accept", fields, status=404)
        assert "Warehouse racking" not in page.text
    quote_shares.revoke(quote, link.id, by=Actor.of(staff))
    db.session.commit()
    client.post(f"/quotes/link/{raw}/accept", fields, status=404)
    assert_nothing_changed(db, quote)


def test_a_quote_past_its_validity_is_not_accepted_signed_in(testapp, make, login, quote, db):
    login(testapp, make.contact(quote.company, role="Buyer"))
    form = fill(testapp.get(f"/quotes/{quote.id}").forms["accept"])
    with clock.frozen(clock.today() + timedelta(days=11)):
        assert "no longer valid" in form.submit().text
    assert_nothing_changed(db, quote)


def test_a_declined_quote_cannot_be_accepted(testapp, make, login, quote, db):
    login(testapp, make.contact(quote.company, role="Buyer"))
    form = fill(testapp.get(f"/quotes/{quote.id}").forms["accept"])
    quote.status = QuoteStatus.declined
    db.session.commit()
    assert "This quote is declined: it cannot be accepted any more." in form.submit().text
    assert quote.status == QuoteStatus.declined and count(db, QuoteSignature) == 0


def test_a_second_accept_returns_the_first_signature_and_creates_nothing(app, staff, quote, db):
    raw, _link = share(quote, staff, db)
    client = TestApp(app)
    first_form = fill(client.get(f"/quotes/link/{raw}").forms["accept"])
    second_fields = dict(fill(client.get(f"/quotes/link/{raw}").forms["accept"], name="Someone Else").submit_fields())
    first_form.submit()
    page = client.post(f"/quotes/link/{raw}/accept", second_fields).follow()
    assert "This quote was accepted already, by Dana  van Buyer on" in page.text
    assert count(db, QuoteSignature) == count(db, SalesOrder) == count(db, Shipment) == 1
    first = db.session.execute(select(QuoteSignature)).scalar_one()
    again = quote_acceptance.accept(quote, quote_acceptance.Signing("Third", "t@acme.example", True),
                                    by=Actor.system())
    assert again.again and again.signature.id == first.id and count(db, QuoteSignature) == 1


def test_a_quote_revised_after_the_page_was_opened_asks_to_read_it_again(app, staff, quote, db):
    raw, _link = share(quote, staff, db)
    client = TestApp(app)
    form = fill(client.get(f"/quotes/link/{raw}").forms["accept"])
    quote.lines[1].unit_price = Decimal("250.00")  # staff revise the shared quote
    recompute_totals(quote)
    quote.revision += 1
    db.session.commit()
    page = form.submit()
    assert "This quote was revised since you opened it." in page.text and count(db, QuoteSignature) == 0
    fill(page.forms["accept"]).submit().follow()
    signature = db.session.execute(select(QuoteSignature)).scalar_one()
    assert signature.revision == 2 and '"unit_price":"250.00"' in signature.snapshot


def test_the_signer_gets_the_signed_pdf_and_the_evidence_hash_staff_are_told(app, mail_app, smtp_server, make, db,
                                                                             staff):
    quote = make_priced_quote(make, db)
    db.session.add(NotificationRoute(kind="quote_accepted", team_email="sales@northwind.example"))
    db.session.commit()
    raw, _link = share(quote, staff, db)
    client = TestApp(mail_app)
    form = fill(client.get(f"/quotes/link/{raw}").forms["accept"], email="dana.signer@acme.example")
    tick(form, optional_line(quote).id)
    form.submit()
    deliver_due(mail_app)
    signature = db.session.execute(select(QuoteSignature)).scalar_one()

    [email] = smtp_server.to("dana.signer@acme.example")
    assert f"You accepted quote {quote.number}" in email["Subject"]
    body = text_of(email)
    assert signature.record_hash in body and signature.pdf_sha256 in body and "1,270.50" in body
    [attachment] = [part for part in email.walk() if part.get_content_type() == "application/pdf"]
    assert attachment.get_filename() == f"signed-quote-{quote.number}.pdf"
    data = attachment.get_content()
    assert sha256_hex(data) == signature.pdf_sha256
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "Accepted by Dana van Buyer (dana.signer@acme.example)" in text
    assert "Cable kit" in text and "1,270.50" in text and signature.snapshot_sha256 in text

    [notice] = smtp_server.to("sales@northwind.example")
    notice_text = text_of(notice)
    assert "Dana  van Buyer (dana.signer@acme.example) accepted quote" in notice_text
    assert signature.record_hash in notice_text and f"/admin/quote/edit/?id={quote.id}" in notice_text


def test_with_the_finance_gate_the_quote_is_ready_for_billing_and_the_page_shows_payment(app, staff, quote, db):
    settings.save({"quotations.finance_gate": True}, commit=False)
    db.session.commit()
    raw, _link = share(quote, staff, db)
    client = TestApp(app)
    page = fill(client.get(f"/quotes/link/{raw}").forms["accept"]).submit().follow()
    db.session.refresh(quote)
    assert quote.status == QuoteStatus.ready_for_billing
    assert "Payment: under review." in page.html.select_one("#payment-status").text

    order = db.session.execute(select(SalesOrder)).scalar_one()
    invoice = Invoice(number="INV-T-1", company_id=quote.company_id, order_id=order.id, total=order.total,
                      status=InvoiceStatus.open)
    db.session.add(invoice)
    db.session.commit()
    assert "Payment: pending." in client.get(f"/quotes/link/{raw}").html.select_one("#payment-status").text
    invoice.status, invoice.amount_paid = InvoiceStatus.paid, order.total
    db.session.commit()
    assert "Payment: paid." in client.get(f"/quotes/link/{raw}").html.select_one("#payment-status").text


def test_without_the_finance_gate_there_is_no_payment_banner(app, staff, quote, db):
    raw, _link = share(quote, staff, db)
    page = fill(TestApp(app).get(f"/quotes/link/{raw}").forms["accept"]).submit().follow()
    assert quote.status == QuoteStatus.accepted and page.html.select_one("#payment-status") is None


def test_signatures_are_never_changed_through_the_orm(app, staff, quote, db):
    raw, _link = share(quote, staff, db)
    fill(TestApp(app).get(f"/quotes/link/{raw}").forms["accept"]).submit()
    signature = db.session.execute(select(QuoteSignature)).scalar_one()
    signature.signer_name = "Mallory"
    with pytest.raises(ValueError, match="never changed"):
        db.session.flush()
    db.session.rollback()


def test_a_line_short_of_stock_is_accepted_unreserved_and_staff_are_told(app, staff, make, db):
    quote = make_priced_quote(make, db)
    rack = db.session.get(Product, quote.lines[0].product_id)
    rack.stock.on_hand = Decimal(1)  # two racks quoted, one left
    db.session.add(NotificationRoute(kind="quote_accepted", team_email="sales@northwind.example"))
    db.session.commit()
    raw, _link = share(quote, staff, db)
    fill(TestApp(app).get(f"/quotes/link/{raw}").forms["accept"]).submit().follow()
    assert quote.status == QuoteStatus.accepted and rack.stock.reserved == 0
    order = db.session.execute(select(SalesOrder)).scalar_one()
    assert "Not reserved, short of stock: Pallet rack." in order.notes
    notice = db.session.execute(select(OutboxEmail).filter_by(to_address="sales@northwind.example")).scalar_one()
    assert "Not reserved, short of stock: Pallet rack." in notice.body_text


def test_the_quotes_creator_is_told_in_the_back_office_with_a_link_to_the_quote(app, staff, quote, db):
    quote.created_by_id = staff.id
    db.session.commit()
    raw, _link = share(quote, staff, db)
    fill(TestApp(app).get(f"/quotes/link/{raw}").forms["accept"]).submit().follow()

    [notice] = db.session.execute(select(Notification).filter_by(user_id=staff.id)).scalars().all()
    assert notice.kind == "quote_accepted" and notice.read_dt is None
    assert notice.title.endswith(": ACME Tools") and f"accepted quote {quote.number}" in notice.body
    assert notice.link == f"/admin/quote/edit/?id={quote.id}"
