"""Invoice, credit note and receipt pages (read-only)."""
from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal import paging
from portal.blueprints.invoices import bp, services
from portal.extensions import db
from portal.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
from portal.permissions import acting, require_permission, scoped
from portal.services import clock, receivables

PER_PAGE = 25


@bp.route("/")
@require_permission("invoices.view")
def index():
    status = request.args.get("status", "all")
    if status not in services.INVOICE_FILTERS:
        status = "all"
    search = request.args.get("q", "").strip()[:30]
    today = clock.today()
    query = services.filter_invoices(scoped(select(Invoice), Invoice), status, search, today)
    page = paging.page_of(query, per_page=PER_PAGE)
    company = acting().company
    return render_template(
        "invoices/index.html", page=page, status=status, search=search, filters=services.INVOICE_FILTERS,
        outstanding=receivables.outstanding(company, today), currency=company.currency,
    )


@bp.route("/<int:invoice_id>")
@require_permission("invoices.view")
def detail(invoice_id: int):
    invoice = db.one_or_404(receivables.visible_invoices(
        scoped(select(Invoice), Invoice).where(Invoice.id == invoice_id)
        .options(selectinload(Invoice.lines).joinedload(InvoiceLine.product), joinedload(Invoice.order))
    ))
    payments = db.session.execute(
        scoped(select(Payment), Payment).where(Payment.invoice_id == invoice.id)
        .order_by(Payment.received_date.desc(), Payment.id.desc())
    ).scalars().all()
    credit_notes = db.session.execute(receivables.visible_credit_notes(
        scoped(select(CreditNote), CreditNote).where(CreditNote.invoice_id == invoice.id)
        .order_by(CreditNote.issue_date.desc(), CreditNote.id.desc())
    )).scalars().all()
    return render_template("invoices/detail.html", invoice=invoice, payments=payments, credit_notes=credit_notes)


@bp.route("/credit-notes")
@require_permission("invoices.view")
def credit_notes():
    query = receivables.visible_credit_notes(
        scoped(select(CreditNote), CreditNote).options(joinedload(CreditNote.invoice))
        .order_by(CreditNote.issue_date.desc(), CreditNote.id.desc())
    )
    page = paging.page_of(query, per_page=PER_PAGE)
    return render_template("invoices/credit_notes.html", page=page)


@bp.route("/credit-notes/<int:credit_note_id>")
@require_permission("invoices.view")
def credit_note(credit_note_id: int):
    note = db.one_or_404(receivables.visible_credit_notes(
        scoped(select(CreditNote), CreditNote).where(CreditNote.id == credit_note_id)
        .options(selectinload(CreditNote.lines).joinedload(CreditNoteLine.product), joinedload(CreditNote.invoice))
    ))
    return render_template("invoices/credit_note.html", note=note,
                           lines=sorted(note.lines, key=lambda line: (line.position, line.id)))


@bp.route("/receipts")
@require_permission("invoices.view")
def receipts():
    query = (scoped(select(Payment), Payment).options(joinedload(Payment.invoice))
             .order_by(Payment.received_date.desc(), Payment.id.desc()))
    page = paging.page_of(query, per_page=PER_PAGE)
    return render_template("invoices/receipts.html", page=page)
