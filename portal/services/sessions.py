"""Server-side login sessions: renewed at login, revocable, checked on every request."""
from __future__ import annotations

import hashlib
import secrets

from flask import request, session
from flask_login import login_user, logout_user
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import User, UserSession
from portal.models.base import utcnow

SESSION_KEY = "sid"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(user: User) -> None:
    """Sign a user in with a fresh session (the old cookie contents are dropped)."""
    session.clear()
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(
        key_hash=_hash(key), user_id=user.id, ip=request.remote_addr,
        user_agent=(request.user_agent.string or "")[:255],
    ))
    user.last_login_dt = utcnow()
    db.session.commit()
    session[SESSION_KEY] = key
    session.permanent = True
    login_user(user)


def end() -> None:
    """Sign out: the session row is revoked, so a copied cookie stops working too."""
    key = session.get(SESSION_KEY)
    if key:
        db.session.execute(update(UserSession).where(UserSession.key_hash == _hash(key))
                           .values(revoked_dt=utcnow()))
        db.session.commit()
    logout_user()
    session.clear()


def revoke_all(user: User) -> None:
    """End every session of a user (access revoked, password changed); caller commits."""
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_dt.is_(None))
                       .values(revoked_dt=utcnow()))


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the user only while the cookie's session row is live."""
    key = session.get(SESSION_KEY)
    if not key or not user_id.isdigit():
        return None
    return db.session.execute(
        select(User).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.key_hash == _hash(key), UserSession.revoked_dt.is_(None), User.id == int(user_id),
               User.is_active_flag.is_(True))
    ).scalar_one_or_none()
