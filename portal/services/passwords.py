"""Passwords: the strength rule, changing a password, and reset by emailed link.

Changing or resetting a password withdraws the user's outstanding sign-in links and ends
their other sessions. Functions add to the current session: the caller commits.
"""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _

from portal.models import InvitationState, OutboxEmail, TokenPurpose, User
from portal.services import audit, mailer, sessions, sign_in, tokens
from portal.services.actor import Actor

MIN_LENGTH = 10
MAX_LENGTH = 200
RESET_TTL = timedelta(hours=1)
#: a user asking again and again gets at most this many live reset links (no mail flooding)
MAX_OUTSTANDING_RESETS = 3
#: links that sign a person in; a password change withdraws them
SIGN_IN_PURPOSES = (TokenPurpose.invitation, TokenPurpose.magic_link, TokenPurpose.password_reset)

COMMON_PASSWORDS = frozenset({
    "password", "password1", "password12", "password123", "password1234", "passw0rd", "passw0rd123",
    "p@ssw0rd", "p@ssword123", "1234567890", "12345678910", "0123456789", "0987654321", "1111111111",
    "1234512345", "1q2w3e4r5t", "1qaz2wsx3edc", "qwertyuiop", "qwerty1234", "qwerty12345", "qwertyuiop1",
    "asdfghjkl", "asdfghjkl1", "zxcvbnm123", "abcdefghij", "abcd1234567", "iloveyou12", "iloveyou123",
    "letmein123", "welcome123", "welcome1234", "changeme123", "administrator", "admin12345", "admin123456",
    "trustno1234", "sunshine123", "football123", "baseball123", "princess123", "dragon1234", "monkey12345",
    "starwars123", "superman123", "whatever123", "computer123", "internet123", "portal1234", "portal12345",
    "customer123", "company123",
})


class PasswordError(ValueError):
    """The password breaks the strength rule; messages says how (one sentence each)."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


def weaknesses(password: str, *, email: str = "", name: str = "") -> list[str]:
    """What is wrong with a password, in words a person can act on (empty list: fine)."""
    password = password or ""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Use at least %(count)s characters.", count=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("Use at most %(count)s characters.", count=MAX_LENGTH))
    if password and len(set(password)) == 1:
        problems.append(_("Don't use one character repeated."))
    folded = "".join(password.lower().split())
    personal = {email.lower(), email.lower().split("@")[0], "".join(name.lower().split())} - {""}
    if folded in personal:
        problems.append(_("Don't use your email address or name as your password."))
    elif folded in COMMON_PASSWORDS:
        problems.append(_("That password is too common. Choose something harder to guess, "
                          "for example three or four unrelated words."))
    return problems


def require_strong(password: str, user: User | None = None) -> None:
    """Raise PasswordError unless the password passes the strength rule."""
    problems = weaknesses(password, email=user.email if user else "", name=user.name if user else "")
    if problems:
        raise PasswordError(problems)


_ACTORS = object()


def change_password(user: User, new: str, *, by: Actor,
                    keep_session_key: str | None | object = _ACTORS) -> None:
    """Set a new password (raises PasswordError), withdraw outstanding sign-in links and end the
    user's other sessions; caller commits.

    The session `by` signs in with stays signed in when it is the user's own (they changed their
    password themselves); pass keep_session_key to choose, None to end every session. The audit
    row names the user, from `by`'s address.
    """
    require_strong(new, user)
    if keep_session_key is _ACTORS:
        keep_session_key = by.session_key if by.user_id == user.id else None
    user.set_password(new)
    tokens.revoke_for_user(user, SIGN_IN_PURPOSES)
    sessions.revoke_others(user, keep_session_key)
    _notify_changed(user)
    audit.record("password.changed", user, actor=by.as_user(user), company_id=_company_id(user))


def request_reset(email: str, link_base: str | None = None) -> OutboxEmail | None:
    """Email a 1-hour reset link when the address belongs to someone who may sign in.

    Runs after the response (portal.services.link_requests): the page that asked answers the same
    whatever happens here. Returns the email queued, if any. Caller commits.
    """
    user = sign_in.find_user(email)
    if user is None or not sign_in.may_sign_in(user):
        return None
    if tokens.outstanding(user, TokenPurpose.password_reset) >= MAX_OUTSTANDING_RESETS:
        return None
    raw = tokens.issue(TokenPurpose.password_reset, user=user, ttl=RESET_TTL)
    return mailer.send("password_reset", user,
                       link=mailer.external_url("core.reset_password", link_base, token=raw),
                       expires_minutes=int(RESET_TTL.total_seconds() // 60))


def reset_with_token(raw: str, new: str, *, by: Actor) -> User:
    """Set a new password from a reset link; raises TokenError or PasswordError.

    Every session of the user ends and every outstanding sign-in link is withdrawn (the
    caller then starts a fresh session); caller commits.
    """
    token = tokens.peek(TokenPurpose.password_reset, raw)
    user = token.user
    require_strong(new, user)
    tokens.redeem(TokenPurpose.password_reset, raw)
    user.set_password(new)
    if user.invitation_state == InvitationState.invited:
        user.invitation_state = InvitationState.accepted
    tokens.revoke_for_user(user, SIGN_IN_PURPOSES)
    sessions.revoke_all(user)
    _notify_changed(user)
    audit.record("password.reset", user, actor=by.as_user(user), company_id=_company_id(user))
    return user


def _notify_changed(user: User) -> None:
    mailer.send("password_changed", user, reset_link=mailer.external_url("core.request_password_reset"))


def _company_id(user: User) -> int | None:
    return user.memberships[0].company_id if user.memberships else None
