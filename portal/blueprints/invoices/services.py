"""How the customer's invoice list filters: the tabs and the number search.

Which invoices the customer sees, which are open or overdue and what is owed come from
portal.services.receivables.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select

from portal.i18n import N_
from portal.models import Invoice, InvoiceStatus
from portal.services import receivables

#: filter key -> label, in the order the tabs show them
INVOICE_FILTERS = {"all": N_("All"), "open": N_("Open"), "overdue": N_("Overdue"), "paid": N_("Paid")}


def filter_invoices(query: Select, status: str, search: str, today: date | None = None) -> Select:
    """Apply a tab of INVOICE_FILTERS (unknown means all) and a number search, newest first."""
    query = receivables.visible_invoices(query)
    if status == "open":
        query = query.where(receivables.open_clause())
    elif status == "overdue":
        query = query.where(receivables.overdue_clause(today))
    elif status == "paid":
        query = query.where(Invoice.status == InvoiceStatus.paid)
    if search:
        query = query.where(Invoice.number.icontains(search.strip(), autoescape=True))
    return query.order_by(Invoice.issue_date.desc(), Invoice.id.desc())
