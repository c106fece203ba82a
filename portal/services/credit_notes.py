"""Credit notes: the rules for issuing one, and the credit they put on their invoice.

An issued or applied credit note against an invoice takes its total off that invoice's balance due
(Invoice.amount_credited, kept here in the same transaction as the change to the note); the
invoice's status then follows what payments and credit notes cover. A credit note without an
invoice is company credit (receivables.company_credit). Drafts and void notes count for nothing.
Functions change the objects in the current session: the caller commits.
"""
from __future__ import annotations

from decimal import Decimal

from portal.models import CreditNote, Invoice
from portal.money import money
from portal.services import documents, receivables
from portal.services.errors import RuleError


class CreditNoteError(RuleError):
    """The credit note was refused; the message is for staff, `field` names the form field."""

    default_field = "invoice"


def before_edit(note: CreditNote, is_created: bool) -> tuple[Invoice | None, Decimal]:
    """The invoice the note credited before this change and by how much (None, 0 for a new one).

    Call it before the totals are recomputed: the total it reads is the stored one."""
    if is_created:
        return None, Decimal(0)
    old_invoice, old_status = documents.value_before(note, "invoice"), documents.value_before(note, "status")
    return old_invoice, (note.total or Decimal(0)) if old_status in receivables.COUNTING_CREDIT else Decimal(0)


def check(note: CreditNote) -> None:
    """A credit note against an invoice is in that invoice's currency."""
    if note.invoice is not None and note.currency != note.invoice.currency:
        raise CreditNoteError(f"This invoice is in {note.invoice.currency}, the credit note in {note.currency}.")


def move(invoice: Invoice | None, amount: Decimal, *, this_note: Decimal = Decimal(0)) -> None:
    """Add (or with a negative amount take back) credit on an invoice; never more than it still owes.

    `this_note` is what the note being changed already credits on the invoice (for the message)."""
    if invoice is None or not amount:
        return
    invoice.amount_credited = _credited_after(invoice, amount, this_note)
    receivables.settle(invoice)


def _credited_after(invoice: Invoice, amount: Decimal, this_note: Decimal) -> Decimal:
    credited = (invoice.amount_credited or Decimal(0)) + amount
    if credited < 0:
        raise CreditNoteError(f"{invoice.number} would be left with a negative credited amount.")
    if (invoice.amount_paid or Decimal(0)) + credited > (invoice.total or Decimal(0)):
        owed = money(invoice.balance_due + this_note, invoice.currency)
        raise CreditNoteError(f"This credit note is more than {invoice.number} still owes ({owed}). Lower it, "
                              "or issue it without an invoice to give the company credit instead.")
    return credited


def record_change(old_invoice: Invoice | None, old_amount: Decimal, note: CreditNote) -> None:
    """A credit note was created or edited (invoice, status or lines): take the old credit off the old
    invoice and put the new one on its invoice now. Raises CreditNoteError before changing anything."""
    check(note)
    moves: dict[Invoice, Decimal] = {}
    for invoice, amount in ((old_invoice, -old_amount), (note.invoice, receivables.credit_of(note))):
        if invoice is not None and amount:
            moves[invoice] = moves.get(invoice, Decimal(0)) + amount
    already = {old_invoice: old_amount} if old_invoice is not None else {}
    for invoice, amount in moves.items():
        _credited_after(invoice, amount, already.get(invoice, Decimal(0)))
    for invoice, amount in moves.items():
        move(invoice, amount, this_note=already.get(invoice, Decimal(0)))


def record_delete(note: CreditNote) -> None:
    """A credit note is being deleted: its invoice owes what it took off again."""
    move(note.invoice, -receivables.credit_of(note))


def issue(note: CreditNote) -> None:
    """Put a new credit note's credit on its invoice (the rules of record_change apply)."""
    record_change(None, Decimal(0), note)
