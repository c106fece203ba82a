"""The tracking API: POST /api/shipments/<number or id>/tracking-events, for carriers and warehouse systems.

Authenticated by an integration's API key (``Authorization: Bearer <key>``, keys made under Fulfilment →
Integration keys), not by a session, so it takes no CSRF token. JSON in, JSON out:
``{"status": "in_transit", "occurred_at": "2026-04-02T14:30:00+02:00", "location": "Venlo",
"note": "Arrived at hub", "external_id": "evt-123"}`` — only ``status`` is required (one of
portal.services.shipment_tracking.STATUSES). Answers: 201 recorded, 200 already recorded (same external_id),
400 a bad payload (nothing changed), 401 no live key, 404 no such shipment, 429 too many requests (with
Retry-After); every error as JSON ``{"error": ...}`` (portal.json_api).
The address is outside the feature's /shipments prefix; the endpoint is the shipments blueprint's
("shipments.tracking_api"), so it answers 404 while the feature is off.
"""
from __future__ import annotations

from flask import current_app, request

from portal.blueprints.shipments import bp
from portal.extensions import csrf, db, limiter
from portal.json_api import json_api
from portal.permissions import public
from portal.services import integration_keys, shipment_tracking

URL = "/api/shipments/<shipment_ref>/tracking-events"


def _rate_limit() -> str:
    return current_app.config.get("TRACKING_API_RATE_LIMIT", "300 per minute")


def _event_json(event) -> dict:
    return {"id": event.id, "status": event.status, "occurred_at": event.occurred_dt.isoformat(),
            "location": event.location, "note": event.description, "external_id": event.external_id}


@json_api
@public
@limiter.limit(_rate_limit)
def tracking_api(shipment_ref: str):
    key = integration_keys.authenticate(integration_keys.bearer_key(request.headers.get("Authorization")))
    if key is None:
        return ({"error": "Send a live integration key: Authorization: Bearer <key>."}, 401,
                {"WWW-Authenticate": 'Bearer realm="portal"'})
    shipment = shipment_tracking.find_shipment(shipment_ref)
    if shipment is None:
        db.session.commit()  # the key was used
        return {"error": f"No shipment {shipment_ref[:40]!r}."}, 404
    try:
        event = shipment_tracking.parse(request.get_json(silent=True))
    except shipment_tracking.TrackingEventError as error:
        db.session.commit()
        return {"error": str(error), "field": error.field}, 400
    row, created = shipment_tracking.record(shipment, event, key)
    db.session.commit()
    return {"event": _event_json(row), "shipment": {"number": shipment.number, "status": shipment.status.value},
            "created": created}, 201 if created else 200


csrf.exempt(tracking_api)
bp.record_once(lambda state: state.app.add_url_rule(URL, "shipments.tracking_api", tracking_api,
                                                    methods=["POST"]))
