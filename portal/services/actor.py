"""Who is acting: the principal services record in the audit trail and on new sessions.

Services never read the request. A view builds the Actor once per request
(portal.permissions.current_actor) and passes it in; the CLI and the mail worker pass
Actor.system(); tests pass Actor.of(user).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from portal.models import User


@dataclass(frozen=True)
class Actor:
    #: the person acting; None for the system (CLI, worker) or an anonymous visitor
    user: User | None = None
    #: the customer company acted for: a contact's chosen company, or the customer a rep acts for
    company_id: int | None = None
    #: set when a sales rep acts (on a customer's behalf, or on their own account)
    acting_rep_id: int | None = None
    #: where the request came from
    ip: str | None = None
    user_agent: str | None = None
    #: the sign-in session the request uses (a password change keeps it signed in)
    session_key: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def system(cls) -> Actor:
        """No person: command-line tasks, the mail worker."""
        return SYSTEM

    @classmethod
    def of(cls, user: User) -> Actor:
        """A person acting outside a request (command line, tests): no company, no address."""
        return cls(user=user, acting_rep_id=user.id if user.is_rep else None)

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    def as_user(self, user: User) -> Actor:
        """The same origin with `user` as the one acting: someone not signed in who uses their own link
        (invitation, password reset), or the user whose password staff just set."""
        if self.user is not None and self.user.id == user.id:
            return self
        return replace(self, user=user, company_id=None, acting_rep_id=user.id if user.is_rep else None,
                       session_key=None)


SYSTEM = Actor()
