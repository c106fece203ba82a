"""A receipt: a payment received as the customer sees it (page and PDF show the same)."""
from __future__ import annotations

from portal.i18n import N_
from portal.models import Invoice, Payment
from portal.services import pdf, receivables

#: the payment methods in words (the `status` filter and payment_method_word translate them)
METHOD_WORDS = (N_("Bank transfer"), N_("Card"), N_("Direct debit"), N_("Cash"), N_("Other"))


def payment_method_word(method) -> str:
    """A payment method's English word ("bank_transfer" -> "Bank transfer"); gettext() it to show it."""
    return str(getattr(method, "value", method) or "").replace("_", " ").capitalize()


def paid_invoice(payment: Payment) -> Invoice | None:
    """The invoice the payment paid, when the customer may see it (a draft's is on account to them)."""
    invoice = payment.invoice
    return invoice if invoice is not None and invoice.status not in receivables.HIDDEN_INVOICE else None


def document_context(payment: Payment) -> dict:
    return {"payment": payment, "invoice": paid_invoice(payment)}


def receipt_pdf(payment: Payment) -> bytes:
    """The branded PDF of the receipt."""
    return pdf.render("receipt", **document_context(payment))


def pdf_filename(payment: Payment) -> str:
    number = "".join(c for c in (payment.number or f"payment-{payment.id}") if c.isalnum() or c in "-_")
    return f"receipt-{number}.pdf"
