"""An invoice's and a credit note's branded PDF (Download PDF on their pages); every role that sees invoices.

Drafts stay hidden here as on the pages (portal.services.receivables decides what a customer sees).
"""
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.blueprints.invoices import bp
from portal.extensions import db
from portal.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from portal.pdf_download import pdf_download
from portal.permissions import current_actor, require_permission, scoped
from portal.services import document_pdfs, downloads, receivables


@bp.route("/<int:invoice_id>/pdf")
@require_permission("invoices.view")
def invoice_pdf(invoice_id: int):
    invoice = db.one_or_404(receivables.visible_invoices(
        scoped(select(Invoice), Invoice).where(Invoice.id == invoice_id)
        .options(selectinload(Invoice.lines).joinedload(InvoiceLine.product), joinedload(Invoice.order))
    ))
    body = document_pdfs.invoice_pdf(invoice)
    downloads.record_pdf("invoice", invoice.company_id, invoice.id, current_actor())
    db.session.commit()
    return pdf_download(body, document_pdfs.filename("invoice", invoice.number, invoice.id))


@bp.route("/credit-notes/<int:credit_note_id>/pdf")
@require_permission("invoices.view")
def credit_note_pdf(credit_note_id: int):
    note = db.one_or_404(receivables.visible_credit_notes(
        scoped(select(CreditNote), CreditNote).where(CreditNote.id == credit_note_id)
        .options(selectinload(CreditNote.lines).joinedload(CreditNoteLine.product), joinedload(CreditNote.invoice))
    ))
    body = document_pdfs.credit_note_pdf(note)
    downloads.record_pdf("credit_note", note.company_id, note.id, current_actor())
    db.session.commit()
    return pdf_download(body, document_pdfs.filename("credit-note", note.number, note.id))
