"""The browser side of signing in: the session cookie carries the key of a server-side session
(portal.services.sessions), Flask-Login loads the user from it on every request."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, session
from flask_login import login_user, logout_user

from portal.extensions import db
from portal.models import User
from portal.routing import parse_id
from portal.services import sessions
from portal.services.actor import Actor

SESSION_KEY = "sid"


def start(user: User, by: Actor) -> None:
    """Sign a user in with a fresh session (the old cookie contents are dropped); commits."""
    key = sessions.open_session(user, by)
    db.session.commit()
    session.clear()
    session[SESSION_KEY] = key
    session.permanent = True
    login_user(user)


def end() -> None:
    """Sign out: the session row is revoked, so a copied cookie stops working too; commits."""
    key = session.get(SESSION_KEY)
    if key:
        sessions.close(key)
        db.session.commit()
    logout_user()
    session.clear()


def current_key() -> str | None:
    return session.get(SESSION_KEY)


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the user only while the cookie's session row is live."""
    key = session.get(SESSION_KEY)
    number = parse_id(user_id)
    if not key or number is None:
        return None
    user = sessions.live_user(number, key, lifetime())
    if user is None:
        session.pop(SESSION_KEY, None)  # revoked, expired or idle too long: the cookie is done with
    return user


def lifetime() -> sessions.Lifetime:
    """SESSION_MAX_AGE_HOURS after sign-in at most, SESSION_IDLE_MINUTES after the last request."""
    config = current_app.config
    return sessions.Lifetime(absolute=timedelta(hours=float(config["SESSION_MAX_AGE_HOURS"])),
                             idle=timedelta(minutes=float(config["SESSION_IDLE_MINUTES"])))
