"""Who may sign in, and sign-in links sent by email ("Email me a sign-in link")."""
from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db
from portal.models import OutboxEmail, TokenPurpose, User
from portal.models.accounts import password_hash_method
from portal.permissions import active_memberships
from portal.services import mailer, portal_events, tokens
from portal.services.actor import Actor

MAGIC_LINK_TTL = timedelta(minutes=15)
#: live sign-in links per user; further requests send nothing (no mail flooding)
MAX_OUTSTANDING_LINKS = 3
#: how a person signed in, as the sign-in event records it
PASSWORD, LINK, INVITATION, RESET = "password", "link", "invitation", "password_reset"


def find_user(email: str | None) -> User | None:
    email = (email or "").strip().lower()
    if not email:
        return None
    return db.session.execute(select(User).where(func.lower(User.email) == email)).scalar_one_or_none()


@cache
def _dummy_hash(method: str) -> str:
    """Checked when the email is unknown or has no password, so the answer takes as long either way."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def authenticate(email: str | None, password: str) -> User | None:
    """The user these credentials open, or None; the same work is done for unknown emails so
    the response time does not tell which addresses are registered."""
    user = find_user(email)
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(password_hash_method()), password or "")
        return None
    if user.check_password(password) and may_sign_in(user):
        return user
    return None


def may_sign_in(user: User) -> bool:
    """Active account; a contact also needs portal access through at least one company."""
    if not user.is_active:
        return False
    if user.is_contact:
        return bool(active_memberships(user))
    return True


def request_magic_link(email: str, link_base: str | None = None) -> OutboxEmail | None:
    """Email a single-use 15-minute sign-in link to a portal user (contacts and reps, not staff).

    Runs after the response (portal.services.link_requests): the page that asked answers the same
    whatever happens here. Returns the email queued, if any. Caller commits.
    """
    user = find_user(email)
    if user is None or user.is_staff or not may_sign_in(user):
        return None
    if tokens.outstanding(user, TokenPurpose.magic_link) >= MAX_OUTSTANDING_LINKS:
        return None
    raw = tokens.issue(TokenPurpose.magic_link, user=user, ttl=MAGIC_LINK_TTL)
    return mailer.send("magic_link", user, link=mailer.external_url("core.magic_link", link_base, token=raw),
                       expires_minutes=int(MAGIC_LINK_TTL.total_seconds() // 60))


def sign_in_with_link(raw: str) -> User:
    """Use up a sign-in link and return its user; raises TokenError. Other live links are
    withdrawn. Caller commits and starts the session."""
    token = tokens.redeem(TokenPurpose.magic_link, raw)
    user = token.user
    if user is None or user.is_staff or not may_sign_in(user):
        raise tokens.TokenError("revoked", token)
    tokens.revoke_for_user(user, [TokenPurpose.magic_link])
    return user


def record_sign_in(user: User, by: Actor, how: str) -> None:
    """A "signed_in" portal event for each company the contact may work for now (staff and reps sign in
    for no company: a rep's choosing a customer is recorded then). Caller commits."""
    if not user.is_contact:
        return
    as_user = by.as_user(user)
    for membership in active_memberships(user):
        portal_events.record("signed_in", company_id=membership.company_id, by=as_user, data={"how": how})
