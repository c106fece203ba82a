"""Requests for a sign-in or password-reset link, handled after the response.

The page that takes the request only stores it — the same single row for any address, registered or
not, with or without portal access — and answers. Finding the account, issuing the token and composing
the email happen once the response is sent (or in the delivery worker, for anything left over), so
neither the answer nor the time it takes tells which addresses have an account.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import delete, inspect, select

from portal.extensions import db
from portal.models import LinkRequest, OutboxEmail, TokenPurpose
from portal.services import mailer, outbox, passwords, sign_in

log = logging.getLogger(__name__)

#: what each kind of request does once handled: queue the email when the address may have a link
HANDLERS: dict[TokenPurpose, Callable[[str, str], OutboxEmail | None]] = {
    TokenPurpose.magic_link: sign_in.request_magic_link,
    TokenPurpose.password_reset: passwords.request_reset,
}
_PENDING = "link_requests_pending"


def ask(purpose: TokenPurpose, email: str) -> LinkRequest:
    """Store a request for a link (the caller commits); it is handled after the response."""
    purpose = TokenPurpose(purpose)
    if purpose not in HANDLERS:
        raise ValueError(f"no link is sent by email for {purpose}")
    row = LinkRequest(purpose=purpose, email=(email or "").strip().lower()[:254], link_base=mailer.link_base())
    db.session.add(row)
    if has_request_context():
        g.setdefault(_PENDING, []).append(row)
    return row


def handle(ids: list[int] | None = None, limit: int = 50) -> list[int]:
    """Handle stored requests (only `ids` when given): each is taken by exactly one process, even with
    several workers, and its email queued in the same transaction. Returns the ids of the emails queued."""
    db.session.commit()  # a clean transaction: taking the rows must be our first write
    due = select(LinkRequest.id).order_by(LinkRequest.id).limit(limit).with_for_update(skip_locked=True)
    if ids is not None:
        due = due.where(LinkRequest.id.in_(ids))
    taken = db.session.execute(
        delete(LinkRequest).where(LinkRequest.id.in_(due.scalar_subquery()))
        .returning(LinkRequest.purpose, LinkRequest.email, LinkRequest.link_base)
        .execution_options(synchronize_session=False)
    ).all()
    emails = [HANDLERS[TokenPurpose(purpose)](email, base) for purpose, email, base in taken]
    db.session.commit()
    return [email.id for email in emails if email is not None]


def handle_after_response(response):
    """after_request hook: this request's link requests are handled once its response is sent, and
    their emails delivered right away when OUTBOX_DELIVER_AFTER_REQUEST is on."""
    pending = g.pop(_PENDING, None)
    ids = [state.identity[0] for state in map(inspect, pending or ()) if state.identity is not None]
    if ids:
        app = current_app._get_current_object()
        response.call_on_close(lambda: _handle_quietly(app, ids))
    return response


def _handle_quietly(app: Flask, ids: list[int]) -> None:
    try:
        with app.app_context():
            queued = handle(ids, limit=len(ids))
            if queued and app.config.get("OUTBOX_DELIVER_AFTER_REQUEST"):
                outbox.deliver_due(app, limit=len(queued), ids=queued)
    except Exception:  # never break the response; the delivery worker handles what is left
        log.exception("handling link requests %s after the response failed", ids)
