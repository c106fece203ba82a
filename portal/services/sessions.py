"""Server-side sign-in sessions: opened at sign-in, revocable, looked up on every request.

The browser's cookie holds only the raw key (portal.login_session puts it there).
"""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update

from portal.extensions import db
from portal.models import User, UserSession
from portal.models.base import utcnow
from portal.services.actor import Actor


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_session(user: User, by: Actor) -> str:
    """A fresh session for a user signing in from `by`'s address and browser; returns the raw key
    for the cookie. Caller commits."""
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(key_hash=hash_key(key), user_id=user.id, ip=by.ip,
                               user_agent=(by.user_agent or "")[:255]))
    user.last_login_dt = utcnow()
    return key


def close(key: str) -> None:
    """Sign-out: the session row is revoked, so a copied cookie stops working too. Caller commits."""
    db.session.execute(update(UserSession).where(UserSession.key_hash == hash_key(key)).values(revoked_dt=utcnow()))


def revoke_all(user: User) -> None:
    """End every session of a user (access revoked, password changed); caller commits."""
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_dt.is_(None))
                       .values(revoked_dt=utcnow()))


def revoke_others(user: User, keep_key: str | None) -> None:
    """End every session of a user but the one with `keep_key` (None: all of them); caller commits."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_dt.is_(None))
    if keep_key:
        query = query.where(UserSession.key_hash != hash_key(keep_key))
    db.session.execute(query.values(revoked_dt=utcnow()))


def live_user(user_id: int, key: str) -> User | None:
    """The user while the session with `key` is live and the account may sign in."""
    return db.session.execute(
        select(User).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.key_hash == hash_key(key), UserSession.revoked_dt.is_(None), User.id == user_id,
               User.is_active_flag.is_(True))
    ).scalar_one_or_none()
