"""The audit trail: every state change a customer or rep makes (who, acting for whom, what)."""
from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from portal.extensions import db
from portal.models import AuditLog


def record(action: str, obj=None, company_id: int | None = None, actor=None, **details) -> AuditLog:
    """Add an audit row to the current transaction."""
    from portal.permissions import acting

    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    rep_id = None
    if has_request_context() and actor is not None and getattr(actor, "is_rep", False):
        act = acting()
        rep_id = actor.id
        company_id = company_id or act.company_id
    elif has_request_context() and company_id is None and actor is not None and not actor.is_staff:
        company_id = acting().company_id
    row = AuditLog(
        actor_id=actor.id if actor is not None else None,
        company_id=company_id if company_id is not None else getattr(obj, "company_id", None),
        acting_rep_id=rep_id,
        action=action,
        object_type=obj.__tablename__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        details={k: str(v) for k, v in details.items()},
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(row)
    return row
