"""Pay Now by card through Stripe Checkout: the session against a fake Stripe API on 127.0.0.1, and the
signed webhook (idempotent, out of order, signatures refused). No network beyond 127.0.0.1."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from sqlalchemy import func, select

from portal import settings
from portal.models import (
    Invoice,
    InvoiceStatus,
    NotificationRoute,
    OutboxEmail,
    Payment,
    PaymentMethod,
    PaymentRequest,
    PaymentRequestStatus,
)

WEBHOOK_SECRET = "whsec_test_portal_secret"
WEBHOOK = "/payments/stripe/webhook"


class FakeStripe:
    """Answers POST /v1/checkout/sessions like Stripe does (a JSON session) and keeps what it was sent."""

    def __init__(self):
        self.created: list[dict[str, list[str]]] = []
        self.status = 200
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if self.path != "/v1/checkout/sessions":
                    return self._answer(404, {"error": {"message": "no such route", "type": "invalid_request_error"}})
                if fake.status != 200:
                    return self._answer(fake.status, {"error": {"message": "down", "type": "api_error"}})
                form = parse_qs(body)
                fake.created.append({**form, "authorization": [self.headers.get("Authorization", "")]})
                session_id = f"cs_test_{len(fake.created)}"
                return self._answer(200, {"id": session_id, "object": "checkout.session",
                                          "url": f"https://checkout.stripe.test/c/pay/{session_id}",
                                          "client_reference_id": form["client_reference_id"][0],
                                          "payment_status": "unpaid", "status": "open"})

            def _answer(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def fake_stripe(app, monkeypatch):
    fake = FakeStripe()
    fake.thread.start()
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_fake")
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", fake.url)
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def company(make):
    return make.company(name="Alpha Trading", credit_limit=Decimal("1000.00"))


@pytest.fixture
def finance(testapp, make, login, company, fake_stripe, db):
    settings.save({"invoices.pay_by_card": True, "invoices.pay_by_bank_transfer": False})
    login(testapp, make.contact(company, role="Finance", email="fiona@alpha.example"))
    return testapp


def count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def signed(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """The Stripe-Signature header as Stripe computes it: HMAC-SHA256 of "<timestamp>.<payload>"."""
    at = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def event(kind: str, request: PaymentRequest, event_id: str = "evt_1", **session) -> bytes:
    obj = {"id": request.provider_session_id, "object": "checkout.session", "client_reference_id": request.reference,
           "payment_status": "paid", "status": "complete", "amount_total": int(request.total * 100),
           "currency": request.currency.lower(), "payment_intent": "pi_test_1", **session}
    return json.dumps({"id": event_id, "object": "event", "type": kind, "data": {"object": obj}}).encode()


def deliver(client, payload: bytes, signature: str | None = "sign", expect=200):
    headers = {"Stripe-Signature": signed(payload) if signature == "sign" else signature} if signature else {}
    res = client.post(WEBHOOK, payload, headers=headers, content_type="application/json", expect_errors=True)
    assert res.status_int == expect, res.text[:500]
    return res


def pay_by_card(client, *invoices, amounts: dict | None = None):
    query = "&".join(f"invoice={inv.id}" for inv in invoices)
    form = client.get(f"/invoices/pay?{query}").forms["pay"]
    assert form["provider"].value == "stripe"
    for invoice, amount in (amounts or {}).items():
        form[f"amount-{invoice.id}"] = amount
    return form.submit()


def stored(db, model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


# --- the checkout session -----------------------------------------------------------------------------------

def test_paying_by_card_creates_a_checkout_session_and_sends_the_customer_there(finance, fake_stripe, make,
                                                                                 company, db):
    one = make.invoice(company, total="121.00")
    two = make.invoice(company, total="200.00")
    res = pay_by_card(finance, one, two, amounts={two: "50.00"})
    assert res.status_int == 302 and res.location == "https://checkout.stripe.test/c/pay/cs_test_1"

    request = db.session.execute(select(PaymentRequest)).scalar_one()
    assert (request.provider, request.provider_session_id, request.total) == ("stripe", "cs_test_1",
                                                                              Decimal("171.00"))
    sent = fake_stripe.created[0]
    assert sent["authorization"] == ["Bearer sk_test_fake"]
    assert sent["mode"] == ["payment"] and sent["client_reference_id"] == [request.reference]
    assert sent["line_items[0][price_data][product_data][name]"] == [f"Invoice {one.number}"]
    assert sent["line_items[0][price_data][unit_amount]"] == ["12100"]
    assert sent["line_items[1][price_data][unit_amount]"] == ["5000"]
    assert sent["line_items[0][price_data][currency]"] == ["eur"]
    assert sent["success_url"][0].endswith(f"/invoices/payments/{request.id}?checkout=done")
    assert sent["cancel_url"][0].endswith(f"/invoices/payments/{request.id}?checkout=cancelled")
    # nothing is paid until Stripe says so
    assert stored(db, Invoice, one.id).status == InvoiceStatus.open
    page = finance.get(f"/invoices/payments/{request.id}?checkout=cancelled")
    assert "The card payment was not completed" in page.text


def test_stripe_unreachable_is_a_message_and_nothing_is_created(finance, fake_stripe, make, company, db):
    fake_stripe.status = 500
    invoice = make.invoice(company, total="121.00")
    res = pay_by_card(finance, invoice)
    assert res.status_int == 200 and "Card payments are not available right now" in res.text
    assert count(db, PaymentRequest) == 0


# --- the webhook --------------------------------------------------------------------------------------------

@pytest.fixture
def started(finance, make, company, db):
    """Two invoices on a card payment the customer was sent to Stripe for."""
    one, two = make.invoice(company, total="121.00"), make.invoice(company, total="200.00")
    pay_by_card(finance, one, two)
    return db.session.execute(select(PaymentRequest)).scalar_one(), one, two


def test_a_completed_checkout_records_the_payments_once(finance, started, db):
    request, one, two = started
    db.session.add(NotificationRoute(kind="payment_received", team_email="finance@northwind.example"))
    db.session.commit()
    payload = event("checkout.session.completed", request)
    deliver(finance, payload)
    deliver(finance, payload)  # Stripe retries: the same event again
    deliver(finance, event("checkout.session.completed", request, event_id="evt_2"))  # or sends it anew
    payments = db.session.execute(select(Payment).order_by(Payment.invoice_id)).scalars().all()
    assert [(p.invoice_id, p.amount, p.method) for p in payments] == [
        (one.id, Decimal("121.00"), PaymentMethod.card), (two.id, Decimal("200.00"), PaymentMethod.card)]
    assert stored(db, Invoice, one.id).status == InvoiceStatus.paid
    assert stored(db, PaymentRequest, request.id).status == PaymentRequestStatus.paid
    assert "Paid: thank you" in finance.get(f"/invoices/payments/{request.id}?checkout=done").text
    notices = db.session.execute(select(OutboxEmail).filter_by(kind="staff_notice")).scalars().all()
    assert [n.to_address for n in notices] == ["finance@northwind.example"]  # told once
    assert request.reference in notices[0].body_text
    receipts = db.session.execute(select(OutboxEmail).filter_by(kind="payment_receipt")).scalars().all()
    assert [r.to_address for r in receipts] == ["fiona@alpha.example"]  # the customer too, once
    assert all(p.number in receipts[0].body_text for p in payments) and "€321.00" in receipts[0].subject


def test_an_expired_event_after_completed_changes_nothing(finance, started, db):
    request, one, _ = started
    deliver(finance, event("checkout.session.completed", request))
    deliver(finance, event("checkout.session.expired", request, event_id="evt_2", payment_status="unpaid",
                           status="expired"))
    assert stored(db, PaymentRequest, request.id).status == PaymentRequestStatus.paid
    assert count(db, Payment) == 2
    assert stored(db, Invoice, one.id).status == InvoiceStatus.paid


def test_an_expired_checkout_expires_the_request_and_records_nothing(finance, started, db):
    request, one, _ = started
    deliver(finance, event("checkout.session.expired", request, payment_status="unpaid", status="expired"))
    assert stored(db, PaymentRequest, request.id).status == PaymentRequestStatus.expired
    assert count(db, Payment) == 0
    assert stored(db, Invoice, one.id).status == InvoiceStatus.open


def test_events_for_unknown_requests_or_other_amounts_are_acknowledged_and_ignored(finance, started, db):
    request, *_ = started
    unknown = json.loads(event("checkout.session.completed", request))
    unknown["data"]["object"]["client_reference_id"] = "PAY-NONE-NONE"
    deliver(finance, json.dumps(unknown).encode())
    deliver(finance, event("checkout.session.completed", request, amount_total=100))
    deliver(finance, event("checkout.session.completed", request, id="cs_test_other"))
    deliver(finance, event("payment_intent.created", request))
    assert count(db, Payment) == 0
    assert stored(db, PaymentRequest, request.id).status == PaymentRequestStatus.pending


@pytest.mark.parametrize("signature", [
    pytest.param(lambda p: signed(p, secret="whsec_someone_else"), id="wrong-secret"),
    pytest.param(lambda p: signed(p, at=int(time.time()) - 3600), id="old-timestamp"),
    pytest.param(lambda p: None, id="missing-header"),
    pytest.param(lambda p: "t=1,v1=garbage", id="garbage")])
def test_a_webhook_without_a_valid_signature_is_400_and_records_nothing(finance, started, db, signature):
    request, *_ = started
    payload = event("checkout.session.completed", request)
    deliver(finance, payload, signature=signature(payload), expect=400)
    assert count(db, Payment) == 0
    assert stored(db, PaymentRequest, request.id).status == PaymentRequestStatus.pending


def test_the_webhook_takes_no_get_and_needs_no_csrf_token(finance, started):
    request, *_ = started
    assert finance.get(WEBHOOK, expect_errors=True).status_int == 405
    deliver(finance, event("checkout.session.completed", request))  # no csrf_token, no session: still accepted


def test_a_card_payment_cannot_be_cancelled_by_the_customer(finance, started, db):
    request, *_ = started
    token = finance.get("/account").forms["profile"]["csrf_token"].value
    res = finance.post(f"/invoices/payments/{request.id}/cancel", {"csrf_token": token}).follow()
    assert "A card payment cannot be cancelled here" in res.text and "cancel-payment" not in res.forms
    deliver(finance, event("checkout.session.completed", request))  # paid in another tab after all: recorded
    assert stored(db, PaymentRequest, request.id).status == PaymentRequestStatus.paid
