"""Tracking events of a shipment, from staff (back office) or an integration (the tracking API), and the
shipment's status that follows its latest event.

Event statuses are ShipmentStatus codes, shown to customers in words (the `status` filter). An event an
integration posts twice (same ``external_id``) is recorded once. The caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import IntegrationKey, Shipment, ShipmentEvent, ShipmentStatus
from portal.services import clock, customer_notices
from portal.services.errors import RuleError

#: the statuses an event may carry, in the order a shipment normally goes through them
STATUSES = tuple(status.value for status in ShipmentStatus)
#: an event may be dated at most this far ahead of now (clocks differ a little, not a day)
CLOCK_SKEW = timedelta(minutes=10)
LIMITS = {"location": 120, "note": 255, "external_id": 100}


class TrackingEventError(RuleError):
    """A tracking event that cannot be recorded; the message says what to send instead."""


@dataclass(frozen=True)
class TrackingEvent:
    status: ShipmentStatus
    occurred_dt: datetime
    location: str | None = None
    note: str = ""
    external_id: str | None = None


def _text(payload: dict, key: str) -> str | None:
    value = payload.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise TrackingEventError(f"'{key}' must be text.", key)
    value = value.strip()
    if len(value) > LIMITS[key]:
        raise TrackingEventError(f"'{key}' is longer than {LIMITS[key]} characters.", key)
    return value or None


def _time(value) -> datetime:
    if value is None:
        return clock.now()
    if not isinstance(value, str):
        raise TrackingEventError("'occurred_at' must be an ISO 8601 time with its UTC offset, "
                                 "like 2026-04-02T14:30:00+02:00.", "occurred_at")
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise TrackingEventError("'occurred_at' must be an ISO 8601 time with its UTC offset, "
                                 "like 2026-04-02T14:30:00+02:00.", "occurred_at")
    if when > clock.now() + CLOCK_SKEW:
        raise TrackingEventError("'occurred_at' is in the future.", "occurred_at")
    return when


def parse(payload) -> TrackingEvent:
    """A tracking event from an integration's JSON object; TrackingEventError says what is wrong."""
    if not isinstance(payload, dict):
        raise TrackingEventError("Send a JSON object with at least 'status'.")
    status = payload.get("status")
    if status not in STATUSES:
        raise TrackingEventError(f"Unknown 'status': use one of {', '.join(STATUSES)}.", "status")
    return TrackingEvent(status=ShipmentStatus(status), occurred_dt=_time(payload.get("occurred_at")),
                         location=_text(payload, "location"), note=_text(payload, "note") or "",
                         external_id=_text(payload, "external_id"))


def find_shipment(reference: str) -> Shipment | None:
    """A shipment by its number (SH-2026-0001) or its id."""
    reference = reference.strip()[:40]
    query = select(Shipment).where(Shipment.number == reference)
    if reference.isdigit():
        query = select(Shipment).where((Shipment.id == int(reference)) | (Shipment.number == reference))
    return db.session.execute(query.limit(1)).scalar_one_or_none()


def _already(shipment: Shipment, external_id: str) -> ShipmentEvent | None:
    return db.session.execute(select(ShipmentEvent).filter_by(shipment_id=shipment.id, external_id=external_id)
                              ).scalar_one_or_none()


def record(shipment: Shipment, event: TrackingEvent, key: IntegrationKey | None = None) -> tuple[ShipmentEvent, bool]:
    """Add the event (or find the one with its external id) and let the shipment follow its latest event.
    Returns (event, whether it is new)."""
    if event.external_id and (found := _already(shipment, event.external_id)) is not None:
        return found, False
    try:
        with db.session.begin_nested():  # the same event posted twice at once: the second finds the first
            row = ShipmentEvent(status=event.status.value, occurred_dt=event.occurred_dt, location=event.location,
                                description=event.note, external_id=event.external_id,
                                integration_key_id=key.id if key is not None else None)
            shipment.events.append(row)
    except IntegrityError:
        return _already(shipment, event.external_id), False
    before = shipment.status
    follow_latest(shipment)
    customer_notices.shipment_status_changed(shipment, before)  # dispatched / delivered: told once
    return row, True


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=clock.now().tzinfo)


def follow_latest(shipment: Shipment) -> None:
    """The shipment's status is its latest event's (by when it happened, not when it was sent), with the
    ship and delivery times that status implies."""
    coded = [e for e in shipment.events
             if e.status in STATUSES and e.occurred_dt is not None and e not in db.session.deleted]
    if not coded:
        return
    latest = max(coded, key=lambda e: (_aware(e.occurred_dt), e.id or 0))
    shipment.status = ShipmentStatus(latest.status)
    if shipment.status != ShipmentStatus.delivered:
        shipment.delivered_dt = None  # a later event says it is not (or no longer) delivered
    stamp_times(shipment, _aware(latest.occurred_dt))


def stamp_times(shipment: Shipment, when: datetime) -> None:
    """Times the status implies and nobody gave yet: a shipment on its way was shipped, a delivered one
    delivered, at `when`."""
    moving = (ShipmentStatus.shipped, ShipmentStatus.in_transit, ShipmentStatus.delivered, ShipmentStatus.exception)
    if shipment.status in moving and shipment.shipped_dt is None:
        shipment.shipped_dt = when
    if shipment.status == ShipmentStatus.delivered and shipment.delivered_dt is None:
        shipment.delivered_dt = when
