"""The deal timeline on an order's page: quote to returns in time order, each linked when the user may open it."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal import settings
from portal.models import (
    ApprovalDecision,
    InvoiceStatus,
    OrderApproval,
    QuoteStatus,
    ReturnRequest,
    ShipmentStatus,
)
from portal.services import deal_timeline
from portal.services.numbering import next_number


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def timeline(res) -> list[tuple[str, str, str | None]]:
    """(kind, title, link) of each entry, as listed."""
    items = res.html.select("ol.deal-timeline > li")
    return [(li["data-kind"], li.strong.get_text(" ", strip=True), li.a["href"] if li.a else None) for li in items]


@pytest.fixture
def deal(make, db):
    """A whole deal of Alpha's, each step on its own day, plus a look-alike of Beta's pointing at it."""
    a, b = make.company(name="Alpha Trading"), make.company(name="Beta Builders")
    buyer = make.contact(a, role="Buyer", name="Bea Buyer")
    approver = make.contact(a, role="Admin", name="Ada Admin")
    quote = make.quote(a, status=QuoteStatus.accepted, issued_dt=at(1), accepted_dt=at(2),
                       accepted_name="Bea Buyer")
    order = make.order(a, quote_id=quote.id, placed_by=buyer, placed_dt=at(2, 13))
    db.session.add(OrderApproval(order_id=order.id, decided_by_id=approver.id, decision=ApprovalDecision.approved,
                                 comment="Fine for the Delft job.", decided_dt=at(3)))
    shipment = make.shipment(a, order, status=ShipmentStatus.delivered, shipped_dt=at(5), delivered_dt=at(7),
                             tracking_number="JD-777")
    invoice = make.invoice(a, order_id=order.id, issue_date=date(2026, 3, 6))
    draft = make.invoice(a, order_id=order.id, status=InvoiceStatus.draft, issue_date=date(2026, 3, 6))
    payment = make.payment(a, invoice, received_date=date(2026, 3, 8))
    note = make.credit_note(a, invoice, issue_date=date(2026, 3, 9))
    returned = ReturnRequest(number=next_number("return_request"), company_id=a.id, order_id=order.id,
                             reason="One box crushed", created_dt=at(10))
    db.session.add(returned)
    # Another company's documents wrongly pointing at Alpha's order never show.
    make.shipment(b, order, tracking_number="BETA-SHIP")
    make.invoice(b, order_id=order.id)
    db.session.commit()
    return {"a": a, "buyer": buyer, "quote": quote, "order": order, "shipment": shipment, "invoice": invoice,
            "draft": draft, "payment": payment, "note": note, "returned": returned}


def test_the_whole_deal_in_time_order_with_links(testapp, login, deal):
    login(testapp, deal["buyer"])
    res = testapp.get(f"/orders/{deal['order'].id}")
    q, o, s, i = deal["quote"], deal["order"], deal["shipment"], deal["invoice"]
    assert timeline(res) == [
        ("quote_sent", f"Quote {q.number} sent", f"/quotes/{q.id}"),
        ("quote_accepted", f"Quote {q.number} accepted", f"/quotes/{q.id}"),
        ("order_placed", f"Order {o.number} placed", None),
        ("approval", "Approved by Ada Admin", None),
        ("shipment", f"Shipment {s.number}", f"/shipments/{s.id}"),
        ("invoice", f"Invoice {i.number} issued", f"/invoices/{i.id}"),
        ("delivered", f"Shipment {s.number} delivered", f"/shipments/{s.id}"),
        ("payment", f"Payment received, receipt {deal['payment'].number}", f"/invoices/receipts/{deal['payment'].id}"),
        ("credit_note", f"Credit note {deal['note'].number}", f"/invoices/credit-notes/{deal['note'].id}"),
        ("return", f"Return {deal['returned'].number} requested", f"/returns/{deal['returned'].id}"),
    ]
    listed = res.html.select_one("ol.deal-timeline").get_text(" ", strip=True)
    assert "Signed by Bea Buyer" in listed and "Fine for the Delft job." in listed and "JD-777" in listed
    assert "One box crushed" in listed and "BETA-SHIP" not in res.text and deal["draft"].number not in res.text
    times = [t["datetime"] for t in res.html.select("ol.deal-timeline time")]
    assert times[0] == "2026-03-01T12:00Z" and times[5] == "2026-03-06"
    for href in {link for _, _, link in timeline(res) if link}:
        assert testapp.get(href).status_int == 200  # every link opens for this user


def test_a_role_or_a_feature_that_may_not_see_a_part_sees_none_of_it(testapp, login, make, db, deal):
    buyer = make.role("Buyer")
    buyer.permissions = [p for p in buyer.permissions if p != "invoices.view"]
    db.session.commit()
    settings.set_feature("shipments", False)
    login(testapp, deal["buyer"])
    kinds = [kind for kind, _, _ in timeline(testapp.get(f"/orders/{deal['order'].id}"))]
    assert kinds == ["quote_sent", "quote_accepted", "order_placed", "approval", "return"]

    settings.set_feature("quotations", False)
    res = testapp.get(f"/orders/{deal['order'].id}")
    assert [kind for kind, _, _ in timeline(res)] == ["order_placed", "approval", "return"]
    assert deal["quote"].number not in res.text and deal["invoice"].number not in res.text
    assert "/invoices/" not in res.text and "/shipments/" not in res.text and "/quotes/" not in res.text

    settings.set_feature("returns", False)
    res = testapp.get(f"/orders/{deal['order'].id}")
    assert [kind for kind, _, _ in timeline(res)] == ["order_placed", "approval"]
    assert deal["returned"].number not in res.text


def test_reading_a_deal_takes_the_same_few_statements_however_big(make, db, deal, count_queries):
    a, order = deal["a"], deal["order"]
    everything = deal_timeline.Sight(quotes=True, shipments=True, invoices=True, returns=True)

    def statements() -> int:
        db.session.expire_all()
        # what the page loads with the order
        assert order.placed_by and all(approval.decided_by for approval in order.approvals)
        with count_queries() as counter:
            deal_timeline.for_order(order, everything)
        # settings are read once per request; outside a request (here) each time they are asked
        return len([sql for sql in counter.statements if "FROM setting_value" not in sql])

    small = statements()
    for _ in range(3):
        invoice = make.invoice(a, order_id=order.id)
        make.payment(a, invoice, amount="10.00")
        make.credit_note(a, invoice)
        make.shipment(a, order)
    assert statements() == small <= 6
    assert len([e for e in deal_timeline.for_order(order, everything) if e.kind == "invoice"]) == 4


def test_an_order_without_a_quote_or_documents_shows_only_itself(testapp, login, make):
    company = make.company()
    order = make.order(company, placed_dt=at(4), total="242.00")
    login(testapp, make.contact(company, role="Viewer"))
    assert timeline(testapp.get(f"/orders/{order.id}")) == [("order_placed", f"Order {order.number} placed", None)]
    entries = deal_timeline.for_order(order, deal_timeline.Sight(quotes=True, invoices=True))
    assert [e.kind for e in entries] == ["order_placed"] and "€242.00" in entries[0].detail
