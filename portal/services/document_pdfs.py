"""The branded PDFs of the documents a customer keeps: order confirmation, invoice, credit note and delivery
note. One renderer (portal.services.pdf); each PDF shows what the document's page shows — its lines, tax
per rate, totals, addresses and references. The caller checks who may see the document.
"""
from __future__ import annotations

from portal.models import Address, AddressKind, Company, CreditNote, Invoice, SalesOrder, Shipment
from portal.services import addresses, pdf, receivables
from portal.services.payment_providers.bank_transfer import bank_details
from portal.services.totals import tax_by_rate


def _by_position(lines) -> list:
    return sorted(lines, key=lambda line: (line.position, line.id or 0))


def bill_to(company: Company, order: SalesOrder | None) -> Address | None:
    """The order's billing address, else the company's default one."""
    if order is not None and order.billing_address is not None:
        return order.billing_address
    return addresses.default_address(company.id, AddressKind.billing)


def filename(kind: str, number: str | None, fallback_id: int) -> str:
    """`<kind>-<number>.pdf` with only letters, digits, dashes and underscores (a safe header value)."""
    safe = "".join(c for c in (number or f"{kind}-{fallback_id}") if c.isascii() and (c.isalnum() or c in "-_"))
    return f"{kind}-{safe}.pdf"


def order_confirmation_pdf(order: SalesOrder) -> bytes:
    lines = _by_position(order.lines)
    return pdf.render("order", order=order, lines=lines, taxes=tax_by_rate(lines),
                      bill_to=bill_to(order.company, order))


def invoice_pdf(invoice: Invoice) -> bytes:
    lines = _by_position(invoice.lines)
    owed = receivables.is_open(invoice) and invoice.balance_due > 0
    return pdf.render("invoice", invoice=invoice, lines=lines, taxes=tax_by_rate(lines), order=invoice.order,
                      bill_to=bill_to(invoice.company, invoice.order), bank=bank_details() if owed else None)


def credit_note_pdf(note: CreditNote) -> bytes:
    lines = _by_position(note.lines)
    invoice = note.invoice if note.invoice is not None and note.invoice.status not in receivables.HIDDEN_INVOICE \
        else None
    return pdf.render("credit_note", note=note, lines=lines, taxes=tax_by_rate(lines), invoice=invoice,
                      bill_to=bill_to(note.company, invoice.order if invoice is not None else None))


def delivery_note_pdf(shipment: Shipment) -> bytes:
    """What the shipment carries: its order's lines with quantities (no prices), the ship-to address."""
    order = shipment.order
    lines = _by_position(order.lines) if order is not None else []
    return pdf.render("delivery_note", shipment=shipment, order=order, lines=lines)
