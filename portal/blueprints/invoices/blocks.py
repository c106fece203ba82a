"""The invoices feature's dashboard blocks: what is outstanding, the most recent invoices and the ageing."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.models import Company, Invoice
from portal.services import receivables

RECENT = 5


@dataclass(frozen=True)
class OutstandingFigures:
    total: Decimal
    open_count: int
    overdue_count: int


def outstanding(company: Company) -> OutstandingFigures:
    """What the company still owes (after payments and credit notes) and how many invoices are late."""
    return OutstandingFigures(receivables.outstanding_total(company), receivables.open_invoice_count(company),
                              receivables.overdue_invoice_count(company))


def recent_invoices(company: Company) -> list[Invoice]:
    return receivables.recent_invoices(company, RECENT)


def ageing_summary(company: Company) -> list[receivables.Ageing]:
    """What is open today by days overdue, per currency (the company's own currency when nothing is open)."""
    return receivables.ageing(company) or [receivables.Ageing.nothing(company.currency)]
