"""Shipment tracking: the timeline a customer reads and the carrier link it may follow."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import Select

from portal.models import Shipment, ShipmentEvent


def newest_first(query: Select) -> Select:
    """Order a select of Shipment newest first (shipments being prepared have no ship date yet)."""
    return query.order_by(Shipment.created_dt.desc(), Shipment.id.desc())


def timeline(shipment: Shipment) -> list[ShipmentEvent]:
    """The shipment's tracking steps, the latest first."""
    return sorted(shipment.events, key=lambda e: (e.occurred_dt, e.id), reverse=True)


def tracking_link(shipment: Shipment) -> str | None:
    """The carrier's tracking page, only if it is a plain web address (never javascript: or data:)."""
    url = (shipment.tracking_url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url
    return None


def carrier_label(shipment: Shipment) -> str:
    return _("Track with %(carrier)s", carrier=shipment.carrier) if shipment.carrier else _("Track this shipment")
