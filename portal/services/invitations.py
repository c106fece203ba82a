"""Invitations: give a contact (or sales rep) portal access by emailed link, and take it away.

A contact can be invited only while one of its companies has portal access. Functions add
to the current session (tokens, outbox email, audit rows): the caller commits.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import Company, InvitationState, Membership, TokenPurpose, User
from portal.services import audit, mailer, offers, passwords, sessions, staff_notices, tokens
from portal.services.actor import SYSTEM, Actor

INVITATION_TTL = timedelta(days=14)


class InvitationError(ValueError):
    """The person cannot be invited (the message says why, in words staff can act on)."""


def _active_memberships(user: User) -> list[Membership]:
    """Read from the database (not user.memberships), so a membership just added by id counts."""
    if user.id is None:
        db.session.add(user)
        db.session.flush()
    return list(db.session.execute(
        select(Membership).join(Membership.company)
        .where(Membership.user_id == user.id, Membership.is_active.is_(True)).order_by(Company.name)
    ).scalars())


def _invitation_company(user: User) -> Company | None:
    """The company the invitation is for: the first active membership with portal access."""
    for membership in _active_memberships(user):
        if membership.company.portal_access:
            return membership.company
    return None


def check_invitable(user: User) -> Company | None:
    """Raise InvitationError unless the user may be invited; returns the contact's company."""
    if not user.email:
        raise InvitationError(f"{user.name} has no email address.")
    if user.is_staff:
        raise InvitationError(f"{user.email} is a staff account; staff sign in to the back office.")
    if not user.is_active:
        raise InvitationError(f"{user.email} is deactivated. Activate the account first.")
    if not user.is_contact:
        return None
    active = _active_memberships(user)
    if not active:
        raise InvitationError(f"{user.email} is not linked to a company. Add the contact to a company first.")
    company = _invitation_company(user)
    if company is None:
        names = ", ".join(sorted(m.company.name for m in active))
        raise InvitationError(f"{names} does not have portal access. Turn on \"Allow customer portal\" for the "
                              f"company before inviting {user.email}.")
    return company


def _issue(user: User, company: Company | None, invited_by: Actor) -> str:
    user.portal_access = True
    user.invitation_state = InvitationState.invited
    tokens.revoke_for_user(user, [TokenPurpose.invitation])
    raw = tokens.issue(TokenPurpose.invitation, user=user, company=company, ttl=INVITATION_TTL,
                       created_by=invited_by.user)
    return mailer.external_url("core.accept_invitation", token=raw)


def _company_id(user: User, company: Company | None = None) -> int | None:
    if company is not None:
        return company.id
    return db.session.execute(
        select(Membership.company_id).where(Membership.user_id == user.id)
        .order_by(Membership.is_active.desc(), Membership.id)
    ).scalars().first()


def invite(user: User, *, invited_by: Actor | None = None, send_email: bool = True) -> str:
    """Turn portal access on, issue a 14-day invitation link (older ones are withdrawn), queue the
    "invitation" email, and return the absolute accept link. Raises InvitationError.

    `invited_by` is who invites (None: the system)."""
    invited_by = invited_by or SYSTEM
    company = check_invitable(user)
    link = _issue(user, company, invited_by)
    if send_email:
        mailer.send("invitation", user, link=link, company_name=company.name if company else "",
                    portal_offers=offers.for_company(company),
                    invited_by_name=invited_by.user.name if invited_by.user is not None else "",
                    expires_days=INVITATION_TTL.days)
    audit.record("invitation.sent" if send_email else "invitation.link_created", user, actor=invited_by,
                 company_id=_company_id(user, company), email=user.email)
    return link


def links_for(users: Iterable[User], invited_by: Actor | None) -> list[tuple[User, str]]:
    """One fresh invitation link per user, no email (CSV export). All or nothing: raises
    InvitationError naming everyone who cannot be invited, before issuing any link."""
    users = list(users)
    problems = []
    for user in users:
        try:
            check_invitable(user)
        except InvitationError as exc:
            problems.append(str(exc))
    if problems:
        raise InvitationError(" ".join(problems))
    return [(user, invite(user, invited_by=invited_by, send_email=False)) for user in users]


def accept(raw: str, password: str, *, by: Actor) -> User:
    """Accept an invitation: the password must pass the strength rule (PasswordError, the link stays
    usable), then the link is used up, the password set, and a "welcome" email queued.
    Raises TokenError for a bad link. Caller commits and signs the user in. `by` is the visitor
    using the link (audited as the invited user, from their address)."""
    token = tokens.peek(TokenPurpose.invitation, raw)
    user = token.user
    if user is None or not user.portal_access or user.invitation_state == InvitationState.revoked:
        raise tokens.TokenError("revoked", token)
    passwords.require_strong(password, user)
    tokens.redeem(TokenPurpose.invitation, raw)
    user.set_password(password)
    user.invitation_state = InvitationState.accepted
    company = _invitation_company(user)
    mailer.send("welcome", user, company_name=company.name if company else "",
                login_url=mailer.external_url("core.login"))
    audit.record("invitation.accepted", user, actor=by.as_user(user), company_id=token.company_id or _company_id(user))
    staff_notices.notify_about_contact("invitation_accepted",
                                       f"{user.name} accepted the invitation and can now sign in.", user, company)
    return user


def revoke(user: User, by: Actor | None = None) -> None:
    """Take portal access away: outstanding links are withdrawn and every session ends at once."""
    user.portal_access = False
    user.invitation_state = InvitationState.revoked
    tokens.revoke_for_user(user)
    sessions.revoke_all(user)
    audit.record("access.revoked", user, actor=by or SYSTEM, company_id=_company_id(user), email=user.email)


def resend(user: User, by: Actor | None) -> str:
    """Send a fresh invitation (the previous link stops working); returns the new link."""
    if user.invitation_state == InvitationState.accepted and user.portal_access:
        raise InvitationError(f"{user.email} has already accepted the invitation. They can sign in, or use "
                              "\"Forgot your password?\" on the sign-in page.")
    return invite(user, invited_by=by)
