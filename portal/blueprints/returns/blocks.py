"""The returns feature's dashboard block: the company's returns still in progress."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Company, ReturnRequest, ReturnStatus

#: not yet ended (rejected or credited)
IN_PROGRESS = (ReturnStatus.requested, ReturnStatus.approved, ReturnStatus.received)


def open_returns(company: Company) -> int:
    return db.session.execute(select(func.count()).select_from(ReturnRequest).where(
        ReturnRequest.company_id == company.id, ReturnRequest.status.in_(IN_PROGRESS))).scalar_one()
