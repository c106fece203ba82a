"""A receipt's page and its PDF (Invoices → Receipts → a receipt); every role that sees invoices."""
from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.blueprints.invoices import bp
from portal.extensions import db
from portal.models import Payment
from portal.pdf_download import pdf_download
from portal.permissions import current_actor, require_permission, scoped
from portal.services import downloads, receipts


def _own_payment(payment_id: int) -> Payment:
    return db.one_or_404(scoped(select(Payment), Payment).where(Payment.id == payment_id)
                         .options(joinedload(Payment.invoice)))


@bp.route("/receipts/<int:payment_id>")
@require_permission("invoices.view")
def receipt(payment_id: int):
    return render_template("invoices/receipt.html", **receipts.document_context(_own_payment(payment_id)))


@bp.route("/receipts/<int:payment_id>/pdf")
@require_permission("invoices.view")
def receipt_pdf(payment_id: int):
    payment = _own_payment(payment_id)
    body = receipts.receipt_pdf(payment)
    downloads.record_pdf("receipt", payment.company_id, payment.id, current_actor())
    db.session.commit()
    return pdf_download(body, receipts.pdf_filename(payment))
