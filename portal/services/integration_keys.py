"""API keys of integrations: issued to staff once, stored as SHA-256, compared in constant time, revocable.

A key reads ``ptk_<8 characters>_<43 characters>``; the part before the second underscore is the
stored prefix that finds the row, the whole key is what is hashed. The caller commits.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select

from portal.extensions import db
from portal.models import IntegrationKey, User
from portal.models.base import utcnow

TAG = "ptk_"
#: random bytes of the secret part (256 bits)
SECRET_BYTES = 32
PREFIX_LENGTH = len(TAG) + 8


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _new_prefix() -> str:
    while True:
        prefix = TAG + secrets.token_hex(4)
        with db.session.no_autoflush:  # the key being made may wait in the session without one yet
            if db.session.execute(select(IntegrationKey.id).filter_by(prefix=prefix)).first() is None:
                return prefix


def issue(name: str, created_by: User | None = None, key: IntegrationKey | None = None) -> tuple[str, IntegrationKey]:
    """Give `key` (or a new row) a fresh secret; returns the raw key, which is never stored."""
    prefix = _new_prefix()
    raw = f"{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    key = key or IntegrationKey()
    key.name, key.prefix, key.key_hash = name.strip(), prefix, hash_key(raw)
    key.created_by_id = created_by.id if created_by is not None else None
    db.session.add(key)
    return raw, key


def bearer_key(authorization: str | None) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header, if that is what it is."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def authenticate(raw: str | None) -> IntegrationKey | None:
    """The live key `raw` is, or None (unknown, wrong or revoked); marks it used."""
    if not raw or len(raw) > 200 or not raw.startswith(TAG):
        return None
    row = db.session.execute(
        select(IntegrationKey).filter_by(prefix=raw[:PREFIX_LENGTH])
    ).scalar_one_or_none()
    # Hash and compare even when no row matched, so the answer takes as long either way.
    expected = row.key_hash if row is not None else hash_key("")
    matches = hmac.compare_digest(expected, hash_key(raw))
    if row is None or not matches or row.revoked_dt is not None:
        return None
    row.last_used_dt = utcnow()
    return row


def revoke(key: IntegrationKey) -> bool:
    """Withdraw the key for good; False when it already was."""
    if key.revoked_dt is not None:
        return False
    key.revoked_dt = utcnow()
    return True
