"""Server-side sign-in sessions: opened at sign-in, revocable, looked up on every request.

The browser's cookie holds only the raw key (portal.login_session puts it there).
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.models import User, UserSession
from portal.models.base import utcnow
from portal.services.actor import Actor

log = logging.getLogger(__name__)

#: last_seen_dt is written at most this often per session (not on every request)
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetime:
    """How long a session lives: at most `absolute` after sign-in, and `idle` after its last request."""

    absolute: timedelta
    idle: timedelta


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


def live_user(user_id: int, key: str, lifetime: Lifetime | None = None) -> User | None:
    """The user while the session with `key` is live and the account may sign in.

    With a `lifetime`, a session older than its absolute lifetime or idle for longer than its idle
    timeout is over (for good: time only moves on, and an idle session is never marked seen again);
    a live one is marked seen, at most once a minute. One query on the way in.
    """
    now = utcnow()
    params = {"key_hash": hash_key(key), "user_id": user_id, "touch_before": now - TOUCH_EVERY}
    if lifetime is not None:
        params.update(created_after=now - lifetime.absolute, seen_after=now - lifetime.idle)
    found = db.session.execute(_live_user_statement(lifetime is not None), params).one_or_none()
    if found is None:
        return None
    user, stale = found
    if lifetime is not None and stale:
        _write(update(UserSession).where(UserSession.key_hash == hash_key(key)).values(last_seen_dt=now))
    return user


@lru_cache(maxsize=2)
def _live_user_statement(timed: bool):
    """``live_user``'s query, built once (a request binds its values): the user and whether the session is
    due to be marked seen, for a live session; with `timed`, within its lifetime."""
    seen = func.coalesce(UserSession.last_seen_dt, UserSession.created_dt)
    query = (select(User, (seen < bindparam("touch_before")).label("stale"))
             .join(UserSession, UserSession.user_id == User.id)
             .where(UserSession.key_hash == bindparam("key_hash"), UserSession.revoked_dt.is_(None),
                    User.id == bindparam("user_id"), User.is_active_flag.is_(True)))
    if timed:
        query = query.where(UserSession.created_dt > bindparam("created_after"), seen > bindparam("seen_after"))
    return query


def _write(statement) -> None:
    """Session bookkeeping in its own short transaction: the request's own work is not committed with it,
    and a read-only request still records it."""
    try:
        with db.engine.begin() as connection:
            connection.execute(statement)
    except SQLAlchemyError:  # bookkeeping must not fail the page; the next request tries again
        log.warning("could not update the sign-in session", exc_info=True)
