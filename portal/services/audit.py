"""The audit trail: every state change a customer or rep makes (who, acting for whom, what)."""
from __future__ import annotations

from portal.extensions import db
from portal.models import AuditLog
from portal.services.actor import Actor


def record(action: str, obj=None, company_id: int | None = None, *, actor: Actor, **details) -> AuditLog:
    """Add an audit row to the current transaction.

    The company is the one given, else the one the actor acts for, else the object's company."""
    if company_id is None:
        company_id = actor.company_id if actor.company_id is not None else getattr(obj, "company_id", None)
    row = AuditLog(
        actor_id=actor.user_id,
        company_id=company_id,
        acting_rep_id=actor.acting_rep_id,
        action=action,
        object_type=obj.__tablename__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        details={k: str(v) for k, v in details.items()},
        ip=actor.ip,
    )
    db.session.add(row)
    return row
