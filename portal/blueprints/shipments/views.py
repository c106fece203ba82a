"""Shipment pages (read-only)."""
from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal import paging
from portal.blueprints.shipments import bp, services
from portal.extensions import db
from portal.models import Shipment
from portal.permissions import require_permission, scoped


@bp.route("/")
@require_permission("shipments.view")
def index():
    query = services.newest_first(scoped(select(Shipment), Shipment).options(joinedload(Shipment.order)))
    page = paging.page_of(query)
    return render_template("shipments/index.html", page=page)


@bp.route("/<int:shipment_id>")
@require_permission("shipments.view")
def detail(shipment_id: int):
    shipment = db.one_or_404(
        scoped(select(Shipment), Shipment).where(Shipment.id == shipment_id)
        .options(joinedload(Shipment.order), selectinload(Shipment.events))
    )
    return render_template("shipments/detail.html", shipment=shipment, events=services.timeline(shipment),
                           tracking_url=services.tracking_link(shipment),
                           tracking_label=services.carrier_label(shipment))
