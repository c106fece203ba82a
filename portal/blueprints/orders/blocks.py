"""The orders feature's dashboard blocks: open orders and the most recent ones."""
from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Company, SalesOrder
from portal.services.dashboard import summary_for

RECENT = 5


def open_orders(company: Company):
    return summary_for(company)


def recent_orders(company: Company) -> list[SalesOrder]:
    return list(db.session.execute(
        select(SalesOrder).where(SalesOrder.company_id == company.id)
        .order_by(SalesOrder.placed_dt.desc(), SalesOrder.id.desc()).limit(RECENT)
    ).scalars())
