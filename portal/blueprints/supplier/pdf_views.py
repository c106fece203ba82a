"""A purchase order's and a supplier bill's PDF (Download PDF on their pages); every role that sees them.

Drafts stay hidden as on the pages. Each download is kept on the engagement record.
"""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.blueprints.supplier import bp, pdfs
from portal.blueprints.supplier.views import purchase_order_or_404
from portal.extensions import db
from portal.models import SupplierBill
from portal.pdf_download import pdf_download
from portal.permissions import current_actor, require_permission, scoped
from portal.services import document_pdfs, downloads


@bp.route("/purchase-orders/<int:purchase_order_id>/pdf")
@require_permission("supplier.view", audience="supplier")
def purchase_order_pdf(purchase_order_id: int):
    order = purchase_order_or_404(purchase_order_id)
    body = pdfs.purchase_order_pdf(order)
    downloads.record_pdf("purchase_order", order.company_id, order.id, current_actor(), number=order.number)
    db.session.commit()
    return pdf_download(body, document_pdfs.filename("purchase-order", order.number, order.id))


@bp.route("/bills/<int:bill_id>/pdf")
@require_permission("supplier.view", audience="supplier")
def bill_pdf(bill_id: int):
    bill = db.one_or_404(scoped(select(SupplierBill), SupplierBill).where(SupplierBill.id == bill_id)
                         .options(joinedload(SupplierBill.purchase_order)))
    body = pdfs.supplier_bill_pdf(bill)
    downloads.record_pdf("supplier_bill", bill.company_id, bill.id, current_actor(), number=bill.number)
    db.session.commit()
    return pdf_download(body, document_pdfs.filename("bill", bill.number, bill.id))
