"""Document downloads on the engagement record: each PDF a customer downloads is a PortalEvent.

Kinds are "<subject>_pdf_downloaded" (receipt_pdf_downloaded, statement_pdf_downloaded); the quote's
own events live in portal.services.quote_shares. The caller commits.
"""
from __future__ import annotations

from portal.models import PortalEvent
from portal.services import portal_events
from portal.services.actor import Actor


def pdf_kind(subject_type: str) -> str:
    return f"{subject_type}_pdf_downloaded"


def record_pdf(subject_type: str, company_id: int, subject_id: int | None, actor: Actor, **data) -> PortalEvent:
    """Record that `actor` downloaded the PDF of a document (subject_id None: a statement, made on the fly)."""
    if actor.user is not None:
        data = {"recipient_name": actor.user.name, "recipient_email": actor.user.email, **data}
    return portal_events.record(pdf_kind(subject_type), company_id=company_id, by=actor, subject_type=subject_type,
                                subject_id=subject_id, data=data)
