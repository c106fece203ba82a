"""A shipment's delivery note as a branded PDF (Shipments → a shipment → Delivery note); who sees shipments."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.blueprints.shipments import bp
from portal.extensions import db
from portal.models import SalesOrder, SalesOrderLine, Shipment
from portal.pdf_download import pdf_download
from portal.permissions import current_actor, require_permission, scoped
from portal.services import document_pdfs, downloads


@bp.route("/<int:shipment_id>/delivery-note.pdf")
@require_permission("shipments.view")
def delivery_note_pdf(shipment_id: int):
    shipment = db.one_or_404(
        scoped(select(Shipment), Shipment).where(Shipment.id == shipment_id)
        .options(joinedload(Shipment.order).joinedload(SalesOrder.shipping_address),
                 joinedload(Shipment.order).selectinload(SalesOrder.lines).joinedload(SalesOrderLine.product))
    )
    body = document_pdfs.delivery_note_pdf(shipment)
    downloads.record_pdf("delivery_note", shipment.company_id, shipment.id, current_actor())
    db.session.commit()
    return pdf_download(body, document_pdfs.filename("delivery-note", shipment.number, shipment.id))
