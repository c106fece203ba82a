"""Document downloads on the engagement record: each PDF a customer downloads is a PortalEvent.

Kinds are "<subject>_pdf_downloaded" (receipt_pdf_downloaded, statement_pdf_downloaded); the quote's
own events live in portal.services.quote_shares. The caller commits.
"""
from __future__ import annotations

from portal.extensions import db
from portal.models import PortalEvent
from portal.services.actor import Actor


def pdf_kind(subject_type: str) -> str:
    return f"{subject_type}_pdf_downloaded"


def record_pdf(subject_type: str, company_id: int, subject_id: int | None, actor: Actor, **data) -> PortalEvent:
    """Record that `actor` downloaded the PDF of a document (subject_id None: a statement, made on the fly)."""
    if actor.user is not None:
        data = {"recipient_name": actor.user.name, "recipient_email": actor.user.email, **data}
    event = PortalEvent(kind=pdf_kind(subject_type), company_id=company_id, user_id=actor.user_id,
                        acting_rep_id=actor.acting_rep_id, subject_type=subject_type, subject_id=subject_id,
                        ip=actor.ip, user_agent=(actor.user_agent or "")[:255] or None, data=data)
    db.session.add(event)
    return event
