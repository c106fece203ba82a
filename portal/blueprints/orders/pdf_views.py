"""An order's confirmation as a branded PDF (Orders → an order → Download PDF); every role that sees orders."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.blueprints.orders import bp
from portal.extensions import db
from portal.models import SalesOrder, SalesOrderLine
from portal.pdf_download import pdf_download
from portal.permissions import current_actor, require_permission, scoped
from portal.services import document_pdfs, downloads


@bp.route("/<int:order_id>/pdf")
@require_permission("orders.view")
def order_pdf(order_id: int):
    order = db.one_or_404(
        scoped(select(SalesOrder), SalesOrder).where(SalesOrder.id == order_id)
        .options(selectinload(SalesOrder.lines).joinedload(SalesOrderLine.product),
                 joinedload(SalesOrder.shipping_address), joinedload(SalesOrder.billing_address))
    )
    body = document_pdfs.order_confirmation_pdf(order)
    downloads.record_pdf("order", order.company_id, order.id, current_actor())
    db.session.commit()
    return pdf_download(body, document_pdfs.filename("order", order.number, order.id))
