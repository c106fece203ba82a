"""Card payments through Stripe Checkout: a hosted checkout session per request, completed by a signed webhook.

Keys come from the configuration (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET; STRIPE_API_BASE points the
library at another API address, e.g. a local fake in tests) and are never logged. The webhook records
the payment once: a repeated event, an event for an unknown or settled request, and an ``expired`` that
arrives after ``completed`` change nothing and are acknowledged.
"""
from __future__ import annotations

import json
import logging
from decimal import Decimal

import stripe
from flask import current_app
from flask_babel import gettext

from portal import settings
from portal.extensions import db
from portal.i18n import N_
from portal.models import PaymentMethod, PaymentRequest, PaymentRequestStatus
from portal.services import mailer, payment_requests, staff_notices
from portal.services.actor import Actor
from portal.services.payment_providers.base import ProviderError, ReturnUrls, Started, summary

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.stripe.com"
#: webhook events older than this (seconds, by their signed timestamp) are refused: replays
TOLERANCE = 300
COMPLETED = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
EXPIRED = ("checkout.session.expired",)


class WebhookRefused(Exception):
    """The webhook call is not from Stripe (no, wrong or stale signature) or no event: answered 400."""


def _config(name: str) -> str:
    return (current_app.config.get(name) or "").strip()


def client() -> stripe.StripeClient:
    return stripe.StripeClient(_config("STRIPE_SECRET_KEY"), max_network_retries=0, base_addresses={
        "api": _config("STRIPE_API_BASE") or DEFAULT_API_BASE})


def minor_units(amount: Decimal) -> int:
    """Cents: what Stripe counts in (two-decimal currencies)."""
    return int((amount * 100).to_integral_value())


class StripeCheckout:
    key = "stripe"
    label = N_("Card (Stripe)")
    method = PaymentMethod.card

    def available(self) -> bool:
        """On in the settings, with the API key and the webhook secret configured."""
        return bool(settings.get("invoices.pay_by_card") and _config("STRIPE_SECRET_KEY")
                    and _config("STRIPE_WEBHOOK_SECRET"))

    def start(self, request: PaymentRequest, urls: ReturnUrls) -> Started:
        """A hosted Checkout Session with one line per invoice; the customer is sent to its URL."""
        params = {
            "mode": "payment",
            "client_reference_id": request.reference,
            "success_url": urls.success,
            "cancel_url": urls.cancel,
            "metadata": {"payment_request": request.reference},
            "payment_intent_data": {"description": f"Payment {request.reference}"},
            "line_items": [{
                "quantity": 1,
                "price_data": {"currency": request.currency.lower(), "unit_amount": minor_units(item.amount),
                               "product_data": {"name": f"Invoice {item.invoice.number}"}},
            } for item in request.items],
        }
        try:
            session = client().v1.checkout.sessions.create(params=params)
        except stripe.StripeError as exc:
            log.warning("Stripe refused a checkout session for %s: %s", request.reference, type(exc).__name__)
            raise ProviderError(gettext("Card payments are not available right now. Try again later or pay by "
                                        "bank transfer.")) from exc
        request.provider_session_id = session.id
        return Started(redirect_url=session.url, session_id=session.id)


PROVIDER = StripeCheckout()


def verified_event(payload: bytes, signature: str | None) -> dict:
    """The event Stripe signed, as plain JSON; WebhookRefused when the signature is missing, wrong or too old."""
    secret = _config("STRIPE_WEBHOOK_SECRET")
    if not secret or not signature:
        raise WebhookRefused("missing signature" if secret else "no webhook secret configured")
    try:
        stripe.Webhook.construct_event(payload, signature, secret, tolerance=TOLERANCE)
        event = json.loads(payload)
    except stripe.SignatureVerificationError as exc:
        raise WebhookRefused("signature does not verify") from exc
    except ValueError as exc:
        raise WebhookRefused("payload is not an event") from exc
    if not isinstance(event, dict) or not isinstance((event.get("data") or {}).get("object"), dict):
        raise WebhookRefused("payload is not an event")
    return event


def handle_event(event: dict) -> str:
    """Apply a verified event; returns what happened (for the log). Caller commits."""
    kind = event.get("type")
    if kind not in COMPLETED + EXPIRED:
        return "ignored"
    session = event["data"]["object"]
    request = payment_requests.by_reference(session.get("client_reference_id") or "")
    if request is None or request.provider != PROVIDER.key or (
            request.provider_session_id and request.provider_session_id != session.get("id")):
        return "unknown request"
    if kind in EXPIRED:
        return "expired" if payment_requests.close(request, PaymentRequestStatus.expired, by=Actor.system()) \
            else "not pending"
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return "awaiting payment"  # async methods: async_payment_succeeded follows
    if session.get("amount_total") != minor_units(request.total) or \
            (session.get("currency") or "").upper() != request.currency:
        log.warning("Stripe session for %s paid %s %s, the request is for %s %s: not recorded",
                    request.reference, session.get("amount_total"), session.get("currency"),
                    request.total, request.currency)
        return "amount mismatch"
    recorded = payment_requests.complete(request, method=PaymentMethod.card, by=Actor.system(), strict=False,
                                         reference=session.get("payment_intent") or session.get("id"))
    db.session.flush()
    if not recorded:
        return "not pending"
    staff_notices.notify("payment_received", summary(request), company=request.company, contact=request.created_by,
                         link=mailer.external_url("admin_payment_request.details_view", id=request.id))
    return "paid"
