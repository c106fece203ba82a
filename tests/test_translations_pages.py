"""A Dutch contact reads their orders, invoices, statement, shipments and returns in Dutch (words, money and
dates), gets the emails about them in Dutch while an English colleague gets them in English, and the
portal's refusals (a bad quantity, a return of too much) are in Dutch too."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.models import InvoiceStatus, OrderStatus, OutboxEmail, PaymentMethod, ShipmentStatus
from portal.services import customer_notices
from portal.services.outbox import deliver_due
from tests.fixtures_mail import html_of, text_of
from tests.return_helpers import delivered_order, request_form, return_count
from tests.shop_ordering import add_to_cart, cart_items, shop_world

MARCH_1 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def dutch(make, db):
    """A Dutch-speaking Admin of a company in euros, with an order, an invoice for it and a shipment."""
    company = make.company(name="Bakkerij Jansen", currency="EUR")
    person = make.contact(company, role="Admin", name="Joke", email="joke@jansen.example", language="nl")
    order = make.order(company, total="1234.50", status=OrderStatus.shipped, placed_dt=MARCH_1,
                       customer_reference="PO-9")
    invoice = make.invoice(company, total="1234.50", order_id=order.id, issue_date=date(2026, 3, 1))
    make.payment(company, invoice, amount="234.50", method=PaymentMethod.bank_transfer,
                 received_date=date(2026, 3, 5))
    invoice.amount_paid, invoice.status = Decimal("234.50"), InvoiceStatus.partially_paid
    shipment = make.shipment(company, order, status=ShipmentStatus.in_transit,
                             shipped_dt=datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
                             tracking_url="https://track.example/JD0001")
    make.shipment_event(shipment, status="in_transit", occurred_dt=datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    db.session.commit()
    return person, order, invoice, shipment


def test_orders_list_and_an_order_read_in_dutch(testapp, login, dutch):
    person, order, _invoice, _shipment = dutch
    login(testapp, person)
    page = testapp.get("/orders/")
    assert "Geplaatst door" in page.text and "Bestellingen tonen" in page.text and "Nieuwste eerst" in page.text
    assert "€\xa01.234,50" in page.text and "01 mrt 2026" in page.text
    assert "Placed by" not in page.text and "€1,234.50" not in page.text and "Mar 2026" not in page.text

    page = testapp.get(f"/orders/{order.id}")
    assert f"Bestelling {order.number}" in page.text and "Je referentie" in page.text
    assert "Orderbevestiging downloaden (pdf)" in page.text and "Tijdlijn" in page.text
    assert f"Bestelling {order.number} geplaatst" in page.text  # the timeline, worded in Python
    assert "Vervoerder" in page.text and "Onderweg" in page.text
    assert "€\xa01.234,50" in page.text and "01 mrt 2026 09:30" in page.text
    assert "Download order confirmation" not in page.text and "Timeline" not in page.text


def test_a_bad_order_date_filter_is_explained_in_dutch(testapp, login, dutch):
    person = dutch[0]
    login(testapp, person)
    page = testapp.get("/orders/", {"from": "1-3-2026"})
    problem = page.html.select_one("[data-testid=date-problem]").get_text()
    assert "moet een datum zijn zoals 2026-03-31" in problem and "must be a date" not in problem


def test_invoices_an_invoice_and_a_receipt_read_in_dutch(testapp, login, dutch):
    person, _order, invoice, _shipment = dutch
    login(testapp, person)
    page = testapp.get("/invoices/")
    assert "1 openstaande factuur" in page.text and "Selectie betalen" in page.text
    assert "€\xa01.000,00" in page.text and "01 mrt 2026" in page.text
    assert "open invoice" not in page.text and "Balance due" not in page.text

    page = testapp.get(f"/invoices/{invoice.id}")
    assert f"Factuur {invoice.number}" in page.text and "Openstaand saldo" in page.text
    assert "Ontvangen betalingen" in page.text and "Bankoverschrijving" in page.text  # the payment method
    assert "Deels betaald" in page.text and "Nu betalen" in page.text
    assert page.html.select_one("[data-testid=balance-due]").get_text() == "€\xa01.000,00"
    assert "05 mrt 2026" in page.text
    assert "Payments received" not in page.text and "Bank transfer" not in page.text

    receipt = page.click(href="/invoices/receipts/")
    assert "Betaalbewijs" in receipt.text and "Nu openstaand saldo" in receipt.text
    assert receipt.html.select_one("[data-testid=receipt-amount]").get_text() == "€\xa0234,50"


def test_the_statement_of_account_reads_in_dutch(testapp, login, dutch):
    person, _order, invoice, _shipment = dutch
    login(testapp, person)
    page = testapp.get("/invoices/statement", {"from": "2026-01-01", "to": "2026-03-31"})
    assert "Rekeningoverzicht" in page.text and "Beginsaldo" in page.text and "Eindsaldo" in page.text
    row = page.html.select_one(f"tr[data-number='{invoice.number}']").get_text(" ", strip=True)
    assert "Factuur, vervalt op" in row and "01 mrt 2026" in row and "€\xa01.234,50" in row
    assert "Betaling per bankoverschrijving voor" in page.text and "Niet vervallen" in page.text
    assert "Opening balance" not in page.text and "Invoice, due" not in page.text

    page = testapp.get("/invoices/statement", {"from": "2026-02-30", "to": "2026-03-31"}, status=400)
    error = page.html.select_one("[data-testid=range-error]").get_text()
    assert "De begindatum “2026-02-30” is geen datum" in error and "is not a date" not in error


def test_shipments_and_a_shipment_read_in_dutch(testapp, login, dutch):
    person, _order, _invoice, shipment = dutch
    login(testapp, person)
    page = testapp.get("/shipments/")
    assert "Trackingnummer" in page.text and "Onderweg" in page.text and "02 mrt 2026" in page.text
    assert "Tracking number" not in page.text and "In transit" not in page.text

    page = testapp.get(f"/shipments/{shipment.id}")
    assert f"Zending {shipment.number}" in page.text and "Volgen bij DHL" in page.text
    assert "Nog niet" in page.text and "Pakbon downloaden (pdf)" in page.text and "02 mrt 2026 10:00" in page.text
    assert "Not yet" not in page.text and "Track with" not in page.text


def test_a_return_request_in_dutch_refused_then_made(testapp, login, make, db, dutch):
    person, own_order = dutch[0], dutch[1]
    order = delivered_order(make, own_order.company)
    line = order.lines[0]  # 4 delivered
    login(testapp, person)
    page = testapp.get(f"/returns/new?order={order.id}")
    assert f"Artikelen van bestelling {order.number} retourneren" in page.text
    assert "Beschadigd" in page.text and "Retour aanvragen" in page.text and "Kies…" in page.text
    assert "Damaged" not in page.text and "Request the return" not in page.text

    refused = request_form(testapp, order, {line: ("9", "damaged")}, status=400)
    assert f"Van {line.description} kunnen er nog maximaal 4 retour" in refused.text
    assert "Er is niets verstuurd." in refused.text and "can still be returned" not in refused.text
    assert return_count(db) == 0

    done = request_form(testapp, order, {line: ("1", "damaged")}, status=302).follow()
    assert "is aangevraagd. We mailen je zodra we ernaar gekeken hebben." in done.text
    assert "Geschiedenis" in done.text and "<strong>Aangevraagd</strong> op" in done.text
    assert "Beschadigd" in done.text and "History" not in done.text
    email = db.session.execute(select(OutboxEmail).filter_by(kind="return_requested")).scalar_one()
    assert email.subject.startswith("Retour ") and email.subject.endswith(" aangevraagd")
    assert "We hebben je retourverzoek" in email.body_text


def test_a_bad_quantity_in_the_cart_is_refused_in_dutch(testapp, login, make, db):
    shop = shop_world(make)
    shop.buyer.language = "nl"
    widget = shop.products[0]
    widget.min_order_qty, widget.order_increment, widget.unit = Decimal(10), Decimal(5), "st."
    db.session.commit()
    login(testapp, shop.buyer)
    page = add_to_cart(testapp, widget, "veel").follow()
    assert "“veel” is geen aantal: vul een getal in, bijv. 12." in page.text
    assert "is not a quantity" not in page.text
    page = add_to_cart(testapp, widget, "12").follow()
    assert "Widget 1 wordt verkocht per 5 st. vanaf 10: bestel 10 of 15." in page.text
    assert cart_items(shop.buyer) == []


def test_emails_about_documents_reach_each_contact_in_their_language(db, make, mail_app, smtp_server):
    company = make.company(name="Bakkerij Jansen", currency="EUR")
    make.contact(company, role="Admin", name="Joke", email="joke@jansen.example", language="nl")
    make.contact(company, role="Admin", name="Emma", email="emma@jansen.example", language="en")
    invoice = make.invoice(company, total="1234.50", due_in_days=14)
    receipt = make.payment(company, invoice, amount="1234.50")
    invoice.status = InvoiceStatus.paid
    db.session.commit()
    customer_notices.invoice_saved(invoice, None)
    customer_notices.payments_received([receipt], f"payment:{receipt.id}")
    db.session.commit()
    deliver_due(mail_app)

    issued_nl, receipt_nl = smtp_server.to("joke@jansen.example")
    issued_en, receipt_en = smtp_server.to("emma@jansen.example")
    assert issued_nl["Subject"].startswith(f"Factuur {invoice.number} van ")
    assert "Hallo Joke" in text_of(issued_nl) and "voor €\xa01.234,50, te betalen vóór" in text_of(issued_nl)
    assert '<html lang="nl">' in html_of(issued_nl) and "Invoice" not in text_of(issued_nl)
    assert issued_en["Subject"].startswith(f"Invoice {invoice.number} from ")
    assert "Hello Emma" in text_of(issued_en) and "for €1,234.50, due on" in text_of(issued_en)

    assert " ".join(receipt_nl["Subject"].split()) == "Betaling ontvangen: € 1.234,50 van Bakkerij Jansen"
    assert (f"Betaalbewijs {receipt.number}: €\xa01.234,50 op factuur {invoice.number} "
            f"(factuur {invoice.number} is nu betaald)") in text_of(receipt_nl)
    assert " ".join(receipt_en["Subject"].split()) == "Payment received: €1,234.50 from Bakkerij Jansen"
    assert f"Receipt {receipt.number}: €1,234.50 on invoice {invoice.number}" in text_of(receipt_en)


def test_a_ticket_and_its_refusal_read_in_dutch(testapp, login, db, dutch):
    from portal.models import Ticket

    person, order = dutch[0], dutch[1]
    login(testapp, person)
    page = testapp.get("/tickets/new")
    assert "Waar gaat het over?" in page.text and "Een bestelling of levering" in page.text
    assert f"Bestelling {order.number}" in page.text  # the documents a ticket may be about
    assert "What is it about?" not in page.text and "Nothing in particular" not in page.text
    form = page.forms["new-ticket"]
    form["subject"] = "Doos beschadigd"
    res = form.submit(status=400)  # no message written
    assert "Schrijf een bericht." in res.text and "Er is niets verstuurd." in res.text
    assert "Write a message." not in res.text
    assert db.session.execute(db.select(Ticket)).first() is None


def test_notification_preferences_read_in_dutch(testapp, login, dutch):
    login(testapp, dutch[0])
    page = testapp.get("/account/notifications")
    groups = [legend.get_text() for legend in page.html.select("form#notifications legend")]
    assert "Facturen" in groups and "Zendingen" in groups and "Invoices" not in groups
    assert "Nieuwe facturen" in page.text and "Zendingen die onderweg zijn" in page.text
    assert "New invoices" not in page.text


def test_what_each_role_may_do_reads_in_dutch(testapp, login, dutch):
    login(testapp, dutch[0])  # an Admin: may invite colleagues
    page = testapp.get("/company/users/invite")
    abilities = page.html.select_one("dl").get_text(" ", strip=True)
    assert "De bestellingen van het bedrijf zien" in abilities and "See the company's orders" not in abilities
