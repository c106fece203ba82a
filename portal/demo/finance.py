"""Demo invoices (open, partially paid, paid, overdue) with payments, and a credit note."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.demo.lines import copy_lines
from portal.demo.world import DemoWorld
from portal.extensions import db
from portal.models import (
    CreditNote,
    CreditNoteLine,
    CreditNoteStatus,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
    PaymentRequest,
    PaymentRequestItem,
    SalesOrder,
)
from portal.services import credit_notes, payment_requests, receivables
from portal.services.totals import recompute_totals, to_cents

REVERSE_CHARGE_NOTE = "VAT reverse-charged: intra-community supply (art. 138 Directive 2006/112/EC)."


def invoice_order(world: DemoWorld, order: SalesOrder, issue_offset: int, state: str | None = None) -> Invoice:
    """Invoice an order on day `issue_offset`; state is paid / partially_paid / open, or None to let the
    due date and chance decide (an open invoice past its due date is what the portal calls overdue)."""
    company = order.company
    issue = world.day(issue_offset)
    due = issue + timedelta(days=company.payment_terms_days)
    invoice = Invoice(company=company, order=order, issue_date=issue, due_date=due, currency=order.currency,
                      amount_paid=Decimal("0.00"),
                      created_dt=world.at(issue_offset, 17),
                      notes=REVERSE_CHARGE_NOTE if company.code in world.reverse_charge else None)
    invoice.lines.extend(copy_lines(order.lines, InvoiceLine))
    recompute_totals(invoice)
    if state is None:
        roll = world.rng.random()
        if due < world.today:
            state = "paid" if roll < 0.75 else "open"
        else:
            state = "open" if roll < 0.55 else "partially_paid" if roll < 0.75 else "paid"
    db.session.add(invoice)
    if state == "paid":
        paid_on = min(issue + timedelta(days=world.rng.randint(5, company.payment_terms_days)), world.day(-1))
        _pay(world, invoice, invoice.total, paid_on)
    elif state == "partially_paid":
        _pay(world, invoice, to_cents(invoice.total * Decimal("0.4")), min(issue + timedelta(days=3), world.day(-1)))
    receivables.settle(invoice)
    return invoice


def _pay(world: DemoWorld, invoice: Invoice, amount: Decimal, on) -> Payment:
    method = world.rng.choice([PaymentMethod.bank_transfer, PaymentMethod.bank_transfer, PaymentMethod.card,
                               PaymentMethod.direct_debit])
    payment = Payment(company=invoice.company, invoice=invoice, amount=amount, currency=invoice.currency,
                      method=method, received_date=on, created_dt=world.at((on - world.today).days, 12),
                      reference=f"{invoice.company.name} remittance {on:%d-%m}")
    invoice.amount_paid = (invoice.amount_paid or Decimal(0)) + amount
    db.session.add(payment)
    return payment


def credit_note(world: DemoWorld, invoice: Invoice, lines, reason: str, offset: int) -> CreditNote:
    """A credit note for some invoice lines (quantities as given), issued on day `offset`."""
    note = CreditNote(company=invoice.company, invoice=invoice, status=CreditNoteStatus.issued, reason=reason,
                      issue_date=world.day(offset), created_dt=world.at(offset, 15), currency=invoice.currency)
    for position, (line, quantity) in enumerate(lines, start=1):
        note.lines.append(CreditNoteLine(position=position, product=line.product, description=line.description,
                                         quantity=quantity, unit_price=line.unit_price,
                                         discount_percent=line.discount_percent, tax_rate=line.tax_rate))
    recompute_totals(note)
    if note.total > invoice.balance_due:  # already paid: the credit is the company's, to use on a later invoice
        note.invoice, note.reason = None, f"{reason} ({invoice.number})"
    credit_notes.issue(note)
    db.session.add(note)
    return note


def seed_payment_request(world: DemoWorld) -> PaymentRequest | None:
    """Acme announced a bank transfer for its oldest open invoice yesterday: staff confirm it when it arrives."""
    acme = world.customer("C-1001")
    invoice = db.session.execute(
        select(Invoice).where(Invoice.company_id == acme.company.id, receivables.open_clause())
        .order_by(Invoice.issue_date, Invoice.id)).scalars().first()
    if invoice is None:
        return None
    code = "".join(world.rng.choice(payment_requests.REFERENCE_ALPHABET) for _ in range(8))
    request = PaymentRequest(reference=f"PAY-{code[:4]}-{code[4:]}", company_id=acme.company.id,
                             provider="bank_transfer", total=invoice.balance_due, currency=invoice.currency,
                             created_by_id=acme.buyer.id, created_dt=world.at(-1, 16),
                             items=[PaymentRequestItem(invoice_id=invoice.id, amount=invoice.balance_due)])
    db.session.add(request)
    return request
