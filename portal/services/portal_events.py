"""Portal events: the one writer of PortalEvent, and each company's kept latest activity.

Every feature records what happens in the portal (a sign-in, an order placed, a quote opened, a ticket
written) by calling `record`; nothing else constructs a PortalEvent (tests/test_company_activity_rule.py).
A kind must be declared by a feature (``Feature.activity``, ``portal.contract.ActivityKind``), so the
activity page can name every event it lists.

In the same transaction, an event of the customer's moves the company's CompanyActivity row forward with
one upsert (``INSERT ... ON CONFLICT DO UPDATE``, the same SQL on PostgreSQL and SQLite): the latest
event and its kind, and the last sign-in or order when the kind marks one. The row only ever moves
forward, so concurrent events of one company (serialised on the row) leave the latest. A rolled-back
transaction takes its event and its move with it. The caller commits.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.contract import ActivityKind
from portal.extensions import db
from portal.features import registry
from portal.models import CompanyActivity, PortalEvent
from portal.models.base import utcnow
from portal.services.actor import Actor

#: ActivityKind.marks -> the CompanyActivity column it moves
MARKED_COLUMNS = {"sign_in": "last_sign_in_dt", "order": "last_order_dt"}


class UndeclaredKind(ValueError):
    """A portal event kind no feature declares (a programming error, not a user's)."""


def kinds() -> dict[str, ActivityKind]:
    """Every declared kind: key -> ActivityKind."""
    return registry().activity_kinds()


def record(kind: str, *, company_id: int | None, by: Actor, subject_type: str | None = None,
           subject_id: int | None = None, data: dict[str, Any] | None = None) -> PortalEvent:
    """Add a portal event (who: `by`, with their address and browser) and keep the company's latest activity."""
    spec = kinds().get(kind)
    if spec is None:
        raise UndeclaredKind(f"portal event kind {kind!r} is declared by no feature (Feature.activity)")
    at = utcnow()
    event = PortalEvent(kind=kind, company_id=company_id, user_id=by.user_id, acting_rep_id=by.acting_rep_id,
                        subject_type=subject_type, subject_id=subject_id, ip=by.ip,
                        user_agent=(by.user_agent or "")[:255] or None, data=dict(data or {}), created_dt=at)
    db.session.add(event)
    if company_id is not None and spec.customer:
        _move_forward(company_id, kind, spec, at)
    return event


def _later(column, new):
    """The new value when it is not older than the kept one."""
    return case((or_(column.is_(None), new >= column), new), else_=column)


def _move_forward(company_id: int, kind: str, spec: ActivityKind, at: datetime) -> None:
    marked = MARKED_COLUMNS.get(spec.marks or "")
    values = {"company_id": company_id, "last_event_dt": at, "last_event_kind": kind}
    if marked:
        values[marked] = at
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(CompanyActivity).values(**values)
    kept, new = CompanyActivity.__table__.c, statement.excluded
    is_latest = or_(kept.last_event_dt.is_(None), new.last_event_dt >= kept.last_event_dt)
    moves = {"last_event_dt": _later(kept.last_event_dt, new.last_event_dt),
             "last_event_kind": case((is_latest, new.last_event_kind), else_=kept.last_event_kind)}
    if marked:
        moves[marked] = _later(kept[marked], new[marked])
    db.session.execute(statement.on_conflict_do_update(index_elements=["company_id"], set_=moves))
