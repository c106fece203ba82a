"""Stripe's webhook: POST /payments/stripe/webhook, signed by Stripe (no session, no CSRF token).

The address is outside the feature's /invoices prefix because it is what staff give Stripe; the
endpoint still belongs to the invoices blueprint ("invoices.stripe_webhook"), so it answers 404 while
the feature is off.
"""
from __future__ import annotations

import logging

from flask import request

from portal.blueprints.invoices import bp
from portal.extensions import csrf, db
from portal.json_api import json_api
from portal.permissions import public
from portal.services.payment_providers import stripe_checkout

log = logging.getLogger(__name__)
URL = "/payments/stripe/webhook"


@json_api
@public
def stripe_webhook():
    try:
        event = stripe_checkout.verified_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except stripe_checkout.WebhookRefused as exc:
        log.warning("Stripe webhook refused: %s", exc)
        return {"error": "signature verification failed"}, 400
    outcome = stripe_checkout.handle_event(event)
    db.session.commit()
    log.info("Stripe webhook %s %s: %s", event.get("id"), event.get("type"), outcome)
    return {"received": True, "outcome": outcome}, 200


csrf.exempt(stripe_webhook)
bp.record_once(lambda state: state.app.add_url_rule(URL, "invoices.stripe_webhook", stripe_webhook,
                                                    methods=["POST"]))
