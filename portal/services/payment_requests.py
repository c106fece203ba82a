"""Pay Now: what a customer asks to pay (which open invoices, how much of each) and recording it once paid.

A request is made for the acting company's open invoices, each amount more than zero and at most the
invoice's balance due, all in one currency. It is completed once (bank transfer: staff confirm the money
arrived; card: the provider's webhook): a conditional UPDATE on its status decides who records the
payments, so a double click, two staff or a webhook delivered twice record them once.
Functions change the current session: the caller commits.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import (
    Company,
    Invoice,
    Payment,
    PaymentMethod,
    PaymentRequest,
    PaymentRequestItem,
    PaymentRequestStatus,
)
from portal.services import audit, clock, customer_notices, payments, receivables
from portal.services.actor import Actor
from portal.services.errors import RuleError
from portal.web import status_label

#: no 0/O, 1/I/L, U: a reference read out over the phone or typed from paper stays unambiguous
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CENT = Decimal("0.01")
#: at most this many invoices in one payment (one page of the invoice list)
MAX_INVOICES = 25


class PayError(RuleError):
    """The payment request was refused; the message is for the person paying (or confirming)."""


@dataclass(frozen=True)
class Share:
    """One invoice to pay and the amount to pay on it."""

    invoice: Invoice
    amount: Decimal


def new_reference() -> str:
    """A fresh payment reference like PAY-7K3M-2QXD (unique: checked against the stored ones)."""
    while True:
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        reference = f"PAY-{code[:4]}-{code[4:]}"
        if db.session.execute(select(PaymentRequest.id).where(PaymentRequest.reference == reference)).first() is None:
            return reference


def payable_invoices(company: Company, invoice_ids: Iterable[int]) -> list[Invoice]:
    """The company's invoices with these ids that the customer sees, in the order asked; an id of another
    company's invoice (or none at all) is left out, so the caller answers 404."""
    ids = list(dict.fromkeys(invoice_ids))[:MAX_INVOICES]
    if not ids:
        return []
    found = {inv.id: inv for inv in db.session.execute(receivables.visible_invoices(
        select(Invoice).where(Invoice.company_id == company.id, Invoice.id.in_(ids)))).scalars()}
    return [found[i] for i in ids if i in found]


def parse_amount(text: str | None) -> Decimal | None:
    """A typed amount ("1,210.50" or "1210,5" too) as a Decimal, None when it is no amount."""
    text = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    text = text.replace(",", "")
    if not text or len(text) > 20:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def check_shares(company: Company, shares: Sequence[Share]) -> None:
    """Every invoice the company's, open, in one currency; every amount more than zero, in cents, at most its
    balance due. Raises PayError naming the invoice."""
    if not shares:
        raise PayError(_("Choose at least one open invoice to pay."))
    currencies = {s.invoice.currency for s in shares}
    if len(currencies) > 1:
        raise PayError(_("Pay invoices of one currency at a time (%(currencies)s).",
                         currencies=", ".join(sorted(currencies))))
    for share in shares:
        invoice, amount = share.invoice, share.amount
        if invoice.company_id != company.id:
            raise PayError(_("One of the invoices is not your company's."))
        if not receivables.is_open(invoice):
            raise PayError(_("%(number)s is %(status)s: there is nothing to pay on it.", number=invoice.number,
                             status=status_label(invoice.status).lower()))
        if amount is None:
            raise PayError(_("Enter the amount to pay on %(number)s as a number, e.g. 120.50.", number=invoice.number))
        if amount <= 0:
            raise PayError(_("The amount for %(number)s must be more than zero.", number=invoice.number))
        if amount != amount.quantize(CENT):
            raise PayError(_("The amount for %(number)s has more than two decimals.", number=invoice.number))
        if amount > invoice.balance_due:
            raise PayError(_("The amount for %(number)s is more than its balance due (%(balance)s %(currency)s).",
                             number=invoice.number, balance=invoice.balance_due, currency=invoice.currency))


def create(company: Company, shares: Sequence[Share], provider: str, *, by: Actor) -> PaymentRequest:
    """A pending payment request for these invoice shares (checked first: PayError changes nothing)."""
    check_shares(company, shares)
    request = PaymentRequest(
        reference=new_reference(), company_id=company.id, provider=provider, status=PaymentRequestStatus.pending,
        total=sum((s.amount for s in shares), Decimal("0.00")), currency=shares[0].invoice.currency,
        created_by_id=by.user_id, acting_rep_id=by.acting_rep_id,
        items=[PaymentRequestItem(invoice_id=s.invoice.id, amount=s.amount) for s in shares])
    db.session.add(request)
    db.session.flush()
    audit.record("payment_request.create", request, company_id=company.id, actor=by, provider=provider,
                 total=str(request.total), reference=request.reference)
    return request


def by_reference(reference: str) -> PaymentRequest | None:
    return db.session.execute(
        select(PaymentRequest).where(PaymentRequest.reference == (reference or "").strip().upper())
    ).scalar_one_or_none()


def _claim(request: PaymentRequest, to: PaymentRequestStatus) -> bool:
    """Move a pending request to `to` with one conditional UPDATE; False when it was no longer pending
    (someone else completed, cancelled or expired it first: on PostgreSQL the second UPDATE waits for the
    first transaction and then finds no pending row)."""
    result = db.session.execute(
        update(PaymentRequest)
        .where(PaymentRequest.id == request.id, PaymentRequest.status == PaymentRequestStatus.pending)
        .values(status=to, paid_dt=clock.now() if to == PaymentRequestStatus.paid else None)
        .execution_options(synchronize_session=False))
    db.session.refresh(request)
    return result.rowcount == 1


def complete(request: PaymentRequest, *, received: date | None = None, amount: Decimal | None = None,
             method: PaymentMethod, reference: str | None = None, by: Actor, strict: bool = True) -> bool:
    """The money of a pending request arrived: record one payment (a receipt) per invoice and mark it paid.

    Returns False, recording nothing, when the request is no longer pending (completed before, cancelled,
    expired). `amount`, when given (staff typing what arrived), must be the request's total. With `strict`
    (staff), an invoice that no longer owes its share refuses the whole confirmation; without (a card
    payment already taken), what an invoice no longer owes is recorded as a payment on no invoice.
    """
    if amount is not None and amount != request.total:
        raise PayError(f"This request is for {request.total} {request.currency}; {amount} arrived. Record a "
                       "different amount under Payments by hand.", field="amount")
    received = received or clock.today()
    if received > clock.today():
        raise PayError("The date received cannot be in the future.", field="received_date")
    if not _claim(request, PaymentRequestStatus.paid):
        return False
    invoices = {inv.id: inv for inv in db.session.execute(
        select(Invoice).where(Invoice.id.in_([item.invoice_id for item in request.items]))
        .with_for_update().execution_options(populate_existing=True)).scalars()}
    note = " ".join(filter(None, (request.reference, reference)))[:120]
    received_now = []
    for item in request.items:
        invoice = invoices[item.invoice_id]
        owed = invoice.balance_due if receivables.is_open(invoice) else Decimal("0.00")
        if strict and item.amount > owed:
            raise PayError(f"{invoice.number} owes {owed} {invoice.currency} now, less than the "
                           f"{item.amount} of this request: record the money under Payments by hand.")
        on_invoice = min(item.amount, max(owed, Decimal("0.00")))
        recorded = []
        if on_invoice > 0:
            payments.move(invoice, on_invoice)
            recorded.append(Payment(company_id=request.company_id, invoice_id=invoice.id, amount=on_invoice,
                                    currency=request.currency, method=method, received_date=received, reference=note))
        if item.amount > on_invoice:  # a card payment taken for more than is owed now: kept, on no invoice
            recorded.append(Payment(company_id=request.company_id, invoice_id=None, amount=item.amount - on_invoice,
                                    currency=request.currency, method=method, received_date=received, reference=note))
        db.session.add_all(recorded)
        db.session.flush()
        item.payment_id = recorded[0].id
        received_now += recorded
    customer_notices.payments_received(received_now, f"payment_request:{request.id}")
    audit.record("payment_request.paid", request, company_id=request.company_id, actor=by,
                 reference=request.reference, total=str(request.total), received=received.isoformat())
    return True


def close(request: PaymentRequest, status: PaymentRequestStatus, *, by: Actor) -> bool:
    """Cancel or expire a pending request (False, changing nothing, when it is no longer pending)."""
    if not _claim(request, status):
        return False
    audit.record(f"payment_request.{status.value}", request, company_id=request.company_id, actor=by,
                 reference=request.reference)
    return True
