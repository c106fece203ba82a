"""Links between documents: a document points only at documents of its own company.

One declared list of the links staff choose on back-office forms, checked by one helper.
"""
from __future__ import annotations

from sqlalchemy import inspect

from portal.models import CreditNote, Invoice, Payment, SalesOrder, Shipment, SupplierBill
from portal.services.errors import RuleError

#: document type -> (relationship, what to tell staff when it points at another company's document)
COMPANY_LINKS: dict[type, tuple[tuple[str, str], ...]] = {
    Invoice: (("order", "Choose an order of this invoice's company."),),
    Payment: (("invoice", "Choose an invoice of this payment's company."),),
    CreditNote: (("invoice", "Choose an invoice of this credit note's company."),),
    Shipment: (("order", "Choose an order of this shipment's company."),),
    SupplierBill: (("purchase_order", "Choose a purchase order of this supplier."),),
    SalesOrder: (("shipping_address", "Choose an address of this order's company."),),
}


class DocumentError(RuleError):
    """A rule refused the document; the message is for staff, `field` names the form field."""


def value_before(document, attribute: str):
    """What an attribute held before the change pending in this session (a form just set it)."""
    history = getattr(inspect(document).attrs, attribute).history
    if not history.has_changes():
        return getattr(document, attribute)
    return history.deleted[0] if history.deleted else None


def same_company(document) -> None:
    """Raise DocumentError when a linked document (COMPANY_LINKS) belongs to another company."""
    company = getattr(document, "company", None)
    company_id = company.id if company is not None else getattr(document, "company_id", None)
    if company_id is None:
        return
    for relation, message in COMPANY_LINKS.get(type(document), ()):
        linked = getattr(document, relation)
        if linked is not None and linked.company_id != company_id:
            raise DocumentError(message, field=relation)
