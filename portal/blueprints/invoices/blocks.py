"""The invoices feature's dashboard blocks: what is outstanding and the most recent invoices."""
from __future__ import annotations

from sqlalchemy import select

from portal.blueprints.invoices.services import visible_invoices
from portal.extensions import db
from portal.models import Company, Invoice
from portal.services.dashboard import summary_for

RECENT = 5


def outstanding(company: Company):
    return summary_for(company)


def recent_invoices(company: Company) -> list[Invoice]:
    return list(db.session.execute(
        visible_invoices(select(Invoice)).where(Invoice.company_id == company.id)
        .order_by(Invoice.issue_date.desc(), Invoice.id.desc()).limit(RECENT)
    ).scalars())
