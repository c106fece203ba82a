"""Link tokens (invitation, magic link, password reset, quote share).

The raw token travels only in the link; the database keeps its sha256. Tokens are
256 random bits, expire, are single use when redeemed, and can be revoked.
Functions add to the current session: the caller commits.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from portal.extensions import db
from portal.models import AccessToken, TokenPurpose
from portal.models.base import utcnow

#: bytes of randomness per token (256 bits)
TOKEN_BYTES = 32


class TokenError(Exception):
    """A link that cannot be used; reason is one of REASONS."""

    REASONS = ("unknown", "expired", "used", "revoked")

    def __init__(self, reason: str, token: AccessToken | None = None):
        assert reason in self.REASONS, reason
        super().__init__(reason)
        self.reason = reason
        #: the stored row (None when unknown) — for the caller's page, never shown raw
        self.token = token


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def aware(dt: datetime | None) -> datetime | None:
    """SQLite hands timestamps back naive; they are stored in UTC."""
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt


def issue(purpose: TokenPurpose, *, user=None, quote=None, company=None, ttl: timedelta,
          created_by=None, data: dict | None = None) -> str:
    """Create a token row and return the raw token (secrets.token_urlsafe, 256 bits); caller commits."""
    return issue_row(purpose, user=user, quote=quote, company=company, ttl=ttl, created_by=created_by,
                     data=data)[0]


def issue_row(purpose: TokenPurpose, *, user=None, quote=None, company=None, ttl: timedelta,
              created_by=None, data: dict | None = None) -> tuple[str, AccessToken]:
    """issue(), also returning the row (for a record that keeps track of its current link)."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    row = AccessToken(
        purpose=TokenPurpose(purpose), token_hash=hash_token(raw), user=user,
        quote_id=quote.id if quote is not None else None,
        company_id=company.id if company is not None else None,
        expires_dt=utcnow() + ttl,
        created_by_id=created_by.id if created_by is not None else None,
        data=dict(data or {}),
    )
    db.session.add(row)
    return raw, row


def revoke(token_id: int | None) -> int:
    """Withdraw one token (if still live); returns how many were withdrawn (0 or 1)."""
    if token_id is None:
        return 0
    return db.session.execute(
        update(AccessToken)
        .where(AccessToken.id == token_id, AccessToken.used_dt.is_(None), AccessToken.revoked_dt.is_(None))
        .values(revoked_dt=utcnow()).execution_options(synchronize_session="fetch")
    ).rowcount


def _find(purpose: TokenPurpose, raw: str | None) -> AccessToken:
    if not raw or len(raw) > 200:
        raise TokenError("unknown")
    digest = hash_token(raw)
    token = db.session.execute(
        select(AccessToken).where(AccessToken.token_hash == digest, AccessToken.purpose == TokenPurpose(purpose))
    ).scalar_one_or_none()
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        raise TokenError("unknown")
    return token


def _check(token: AccessToken) -> None:
    if token.revoked_dt is not None:
        raise TokenError("revoked", token)
    if token.used_dt is not None:
        raise TokenError("used", token)
    if aware(token.expires_dt) <= utcnow():
        raise TokenError("expired", token)


def redeem(purpose: TokenPurpose, raw: str | None, *, consume: bool = True) -> AccessToken:
    """Return the live token row for raw, marking it used; raises TokenError.

    The consuming UPDATE is conditional, so two concurrent redemptions cannot both succeed.
    """
    token = _find(purpose, raw)
    _check(token)
    if consume:
        now = utcnow()
        result = db.session.execute(
            update(AccessToken)
            .where(AccessToken.id == token.id, AccessToken.used_dt.is_(None), AccessToken.revoked_dt.is_(None))
            .values(used_dt=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            db.session.refresh(token)
            raise TokenError("revoked" if token.revoked_dt is not None else "used", token)
        token.used_dt = now
    return token


def peek(purpose: TokenPurpose, raw: str | None) -> AccessToken:
    """Validate a token without using it up (GET pages that show a confirm button)."""
    return redeem(purpose, raw, consume=False)


def revoke_for_user(user, purposes: Iterable[TokenPurpose] | None = None) -> int:
    """Withdraw the user's outstanding tokens (all purposes unless given); returns how many."""
    query = (update(AccessToken)
             .where(AccessToken.user_id == user.id, AccessToken.used_dt.is_(None), AccessToken.revoked_dt.is_(None))
             .values(revoked_dt=utcnow())
             .execution_options(synchronize_session="fetch"))
    if purposes is not None:
        query = query.where(AccessToken.purpose.in_([TokenPurpose(p) for p in purposes]))
    return db.session.execute(query).rowcount


def outstanding(user, purpose: TokenPurpose) -> int:
    """How many live (unused, unrevoked, unexpired) tokens of one purpose the user has."""
    rows = db.session.execute(
        select(AccessToken.expires_dt).where(
            AccessToken.user_id == user.id, AccessToken.purpose == TokenPurpose(purpose),
            AccessToken.used_dt.is_(None), AccessToken.revoked_dt.is_(None))
    ).scalars()
    now = utcnow()
    return sum(1 for expires in rows if aware(expires) > now)
