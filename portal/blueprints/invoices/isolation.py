"""Objects the invoices pages take, made for one company (the tenant-isolation matrix uses these)."""
from __future__ import annotations

from decimal import Decimal

from portal.extensions import db
from portal.models import (
    Company,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentRequest,
    PaymentRequestItem,
)


def _saved(obj) -> int:
    db.session.add(obj)
    db.session.flush()
    return obj.id


def make_invoice(company: Company) -> int:
    invoice = Invoice(company_id=company.id, currency=company.currency, subtotal=Decimal("100.00"),
                      tax_total=Decimal("21.00"), total=Decimal("121.00"))
    invoice.lines.append(InvoiceLine(description="Widget", quantity=Decimal(1), unit_price=Decimal("100.00"),
                                     line_total=Decimal("100.00")))
    return _saved(invoice)


def make_credit_note(company: Company) -> int:
    note = CreditNote(company_id=company.id, currency=company.currency, reason="Damaged in transit",
                      subtotal=Decimal("20.00"), tax_total=Decimal("4.20"), total=Decimal("24.20"))
    note.lines.append(CreditNoteLine(description="Credit for a damaged widget", quantity=Decimal(1),
                                     unit_price=Decimal("20.00"), line_total=Decimal("20.00")))
    return _saved(note)


def make_payment(company: Company) -> int:
    return _saved(Payment(company_id=company.id, currency=company.currency, amount=Decimal("50.00")))


def make_payment_request(company: Company) -> int:
    invoice = db.session.get(Invoice, make_invoice(company))
    return _saved(PaymentRequest(reference=f"PAY-ISO{company.id:05d}"[:14], company_id=company.id,
                                 provider="bank_transfer", total=invoice.total, currency=invoice.currency,
                                 items=[PaymentRequestItem(invoice_id=invoice.id, amount=invoice.total)]))
