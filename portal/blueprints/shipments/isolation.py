"""Objects the shipment pages take, made for one company (the tenant-isolation matrix uses these)."""
from __future__ import annotations

from portal.blueprints.orders.isolation import make_order
from portal.extensions import db
from portal.models import Company, Shipment, ShipmentStatus


def make_shipment(company: Company) -> int:
    shipment = Shipment(company_id=company.id, order_id=make_order(company), status=ShipmentStatus.shipped,
                        carrier="DHL", tracking_number="JD0001")
    db.session.add(shipment)
    db.session.flush()
    return shipment.id
