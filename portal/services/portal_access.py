"""Who may use the portal, as staff decide it in the back office.

Company access ("Allow customer portal"), a contact's own access, email address changes,
inviting many contacts at once (by email or as a CSV of links) and inviting sales reps.
Functions add to the current session and audit with the staff member (`by`, an Actor; None is the
system) as actor: the caller commits.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    AccessToken,
    Company,
    InvitationState,
    Membership,
    RepAccess,
    Role,
    TokenPurpose,
    User,
    UserKind,
)
from portal.services import audit, csv_files, invitations, sessions, tokens
from portal.services.actor import SYSTEM, Actor
from portal.services.errors import RuleError

#: links that sign someone in or let them set a password; quote share links are not personal
SIGN_IN_LINKS = (TokenPurpose.invitation, TokenPurpose.magic_link, TokenPurpose.password_reset)
CSV_HEADER = ("name", "email", "company", "role", "link")


class AccessError(RuleError):
    """The change was refused; the message says why (shown beside `field` when given)."""


# --- companies -------------------------------------------------------------------------------------

def _companies_with_access(user: User, *, besides: Company | None = None) -> list[Company]:
    query = (select(Company).join(Membership, Membership.company_id == Company.id)
             .where(Membership.user_id == user.id, Membership.is_active.is_(True), Company.portal_access.is_(True))
             .order_by(Company.name))
    if besides is not None:
        query = query.where(Company.id != besides.id)
    return list(db.session.execute(query).scalars())


def _members(company: Company) -> list[User]:
    """Contacts who could use the portal through this company (active membership, own access on)."""
    return list(db.session.execute(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.company_id == company.id, Membership.is_active.is_(True), User.kind == UserKind.contact,
               User.portal_access.is_(True))
        .order_by(User.name, User.id)
    ).scalars())


def sign_out(user: User) -> int:
    """End the user's sessions (the next request is signed out) and withdraw their sign-in links."""
    sessions.revoke_all(user)
    return tokens.revoke_for_user(user, SIGN_IN_LINKS)


def set_company_access(company: Company, enabled: bool, by: Actor | None) -> list[User]:
    """Switch "Allow customer portal" on or off; returns the contacts this signed out.

    Switching off signs out every contact of the company who has no other company with
    portal access, and withdraws their outstanding invitation and sign-in links. Their own
    access stays as it is, so switching the company on again lets them back in.
    """
    before = bool(company.portal_access)
    company.portal_access = enabled
    if company.id is not None and before == enabled:
        return []
    db.session.flush()
    audit.record("company.portal_enabled" if enabled else "company.portal_disabled", company, company_id=company.id,
                 actor=by or SYSTEM)
    if enabled:
        return []
    signed_out = []
    for user in _members(company):
        if not _companies_with_access(user, besides=company):
            sign_out(user)
            signed_out.append(user)
            audit.record("access.signed_out", user, company_id=company.id, actor=by or SYSTEM,
                         reason="company portal access switched off")
    return signed_out


def membership_ended(user: User, company: Company, by: Actor | None) -> bool:
    """A contact's membership of `company` is being deactivated or deleted: left with no other
    company with portal access, they are signed out at once (their own access stays, so a new
    membership lets them back in). Returns True when it signed them out."""
    if user.kind != UserKind.contact or _companies_with_access(user, besides=company):
        return False
    sign_out(user)
    audit.record("access.signed_out", user, company_id=company.id, actor=by or SYSTEM, reason="membership ended")
    return True


# --- contacts --------------------------------------------------------------------------------------

def _active_memberships(user: User) -> list[Membership]:
    """The contact's memberships as the form left them (new inline rows included, deleted ones not)."""
    return [m for m in user.memberships
            if m.is_active is not False and m not in db.session.deleted and m.company is not None]


def access_problem(user: User) -> str | None:
    """Why a contact's portal access cannot be switched on, in words staff can act on; None if it can."""
    if not user.is_contact:
        return None
    memberships = _active_memberships(user)
    if not memberships:
        return f"{user.name} is not linked to a company. Add the contact to a company first."
    if any(m.company.portal_access for m in memberships):
        return None
    names = sorted({m.company.name for m in memberships})
    verb = "does" if len(names) == 1 else "do"
    return f"{join_names(names)} {verb} not have customer portal access — enable it on the company first."


def set_contact_access(user: User, enabled: bool, by: Actor | None) -> None:
    """Switch a contact's own portal access. On needs a company with access (AccessError);
    off is a revocation: sessions end at once and outstanding links are withdrawn."""
    before = bool(user.portal_access)
    if enabled:
        problem = access_problem(user)
        if problem:
            raise AccessError(problem, field="portal_access")
        user.portal_access = True
        if user.invitation_state == InvitationState.revoked:  # staff lift their own revocation
            user.invitation_state = InvitationState.accepted if user.password_hash else InvitationState.not_invited
        if user.id is not None and not before:
            audit.record("access.enabled", user, actor=by or SYSTEM)
    else:
        user.portal_access = False
        if user.id is not None and before:
            invitations.revoke(user, by=by)


def _email_problem(email: str) -> str | None:
    if not email:
        return "Enter an email address."
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return "Enter a valid email address."
    return None


def change_email(user: User, email: str, by: Actor | None) -> bool:
    """Give a user another email address (stored lower-case, unique). Links sent to the old address
    are withdrawn. Returns False when the address did not change."""
    new = (email or "").strip().lower()
    problem = _email_problem(new)
    if problem:
        raise AccessError(problem, field="email")
    old = user.email if user.id is not None else None
    if old is not None and new == old.lower():
        user.email = new
        return False
    taken = select(User.id).where(func.lower(User.email) == new)
    if user.id is not None:
        taken = taken.where(User.id != user.id)
    with db.session.no_autoflush:  # a new user must not be flushed (and found) by its own check
        clash = db.session.execute(taken).first()
    if clash is not None:
        raise AccessError(f"{new} is already used by another account.", field="email")
    user.email = new
    if user.id is not None:
        withdrawn = tokens.revoke_for_user(user, SIGN_IN_LINKS)
        audit.record("user.email_changed", user, actor=by or SYSTEM, old=old, new=new, links_withdrawn=withdrawn)
    return True


# --- invitations -----------------------------------------------------------------------------------

@dataclass
class InviteReport:
    #: who the action was done for (invited, or revoked)
    sent: list[User] = field(default_factory=list)
    #: (user, why it was skipped)
    skipped: list[tuple[User, str]] = field(default_factory=list)


def _already_in(user: User) -> str | None:
    if user.invitation_state == InvitationState.accepted and user.portal_access:
        return (f"{user.email} has already accepted an invitation and can sign in "
                "(or use \"Forgot your password?\").")
    return None


def invite_many(users: Iterable[User], by: Actor | None) -> InviteReport:
    """Send the invitation email to each user who can be invited; report who was skipped and why."""
    report = InviteReport()
    for user in users:
        reason = _already_in(user)
        if reason is None:
            try:
                invitations.invite(user, invited_by=by)
            except invitations.InvitationError as exc:
                reason = str(exc)
        if reason is None:
            report.sent.append(user)
        else:
            report.skipped.append((user, reason))
    return report


def export_links(users: Sequence[User], by: Actor | None) -> list[tuple[User, str]]:
    """A fresh invitation link per user, no email. All or nothing: raises AccessError naming
    everyone who cannot be invited before any link is made."""
    users = list(users)
    if not users:
        raise AccessError("Select at least one contact.")
    problems = []
    for user in users:
        reason = _already_in(user)
        if reason is None:
            try:
                invitations.check_invitable(user)
            except invitations.InvitationError as exc:
                reason = str(exc)
        if reason:
            problems.append(reason)
    if problems:
        raise AccessError("No links were made. " + " ".join(problems))
    return invitations.links_for(users, by)


def copy_link(user: User, by: Actor | None) -> str:
    """A fresh invitation link to hand over by other means (the previous one stops working); no email."""
    reason = _already_in(user)
    if reason:
        raise AccessError(reason)
    try:
        return invitations.invite(user, invited_by=by, send_email=False)
    except invitations.InvitationError as exc:
        raise AccessError(str(exc)) from None


def resend(user: User, by: Actor | None) -> str:
    """Email a fresh invitation (the previous link stops working); returns the new link."""
    try:
        return invitations.resend(user, by)
    except invitations.InvitationError as exc:
        raise AccessError(str(exc)) from None


def revoke(user: User, by: Actor | None) -> None:
    """Take the user's portal access away: sessions end at once, outstanding links are withdrawn."""
    if user.is_staff:
        raise AccessError(f"{user.email} is a staff account; change it on the Users screen.")
    if not user.portal_access and user.invitation_state in (InvitationState.not_invited, InvitationState.revoked):
        raise AccessError(f"{user.email} has no portal access to revoke.")
    invitations.revoke(user, by=by)


def revoke_many(users: Iterable[User], by: Actor | None) -> InviteReport:
    """Revoke each user's portal access (sessions end, links are withdrawn); report who had none."""
    report = InviteReport()
    for user in users:
        try:
            revoke(user, by)
        except AccessError as exc:
            report.skipped.append((user, str(exc)))
        else:
            report.sent.append(user)
    return report


def links_csv(rows: Sequence[tuple[User, str]], places: dict[int, list[Place]]) -> str:
    """The CSV staff download: name, email, company, role, link (one row per contact)."""
    body = []
    for user, link in rows:
        mine = places.get(user.id, [])
        body.append([user.name, user.email, "; ".join(p.company for p in mine), "; ".join(p.role for p in mine),
                     link])
    return csv_files.render(CSV_HEADER, body)


# --- what the Invitations screen shows --------------------------------------------------------------

class Place(NamedTuple):
    """One of a contact's companies, as the Invitations screen and the CSV show it."""

    company: str
    role: str
    portal_access: bool


def places_of(user_ids: Iterable[int]) -> dict[int, list[Place]]:
    """Each user's active memberships (company, role, company has portal access), in one query."""
    ids = list(user_ids)
    result: dict[int, list[Place]] = {i: [] for i in ids}
    if ids:
        rows = db.session.execute(
            select(Membership.user_id, Company.name, Role.name, Company.portal_access)
            .join(Company, Company.id == Membership.company_id).join(Role, Role.id == Membership.role_id)
            .where(Membership.user_id.in_(ids), Membership.is_active.is_(True)).order_by(Company.name))
        for user_id, company, role, access in rows:
            result[user_id].append(Place(company, role, bool(access)))
    return result


def last_invited(user_ids: Iterable[int]) -> dict[int, datetime]:
    """When each user was last sent (or handed) an invitation link."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(AccessToken.user_id, func.max(AccessToken.created_dt))
        .where(AccessToken.user_id.in_(ids), AccessToken.purpose == TokenPurpose.invitation)
        .group_by(AccessToken.user_id))
    return {user_id: tokens.aware(when) for user_id, when in rows}


# --- sales reps ------------------------------------------------------------------------------------

def invite_rep(*, name: str, email: str, access: RepAccess | str, companies: Iterable[Company],
               by: Actor | None) -> User:
    """Create a sales rep account (every customer, or only the allocated ones) and email the
    invitation. Raises AccessError (with the field) and changes nothing when the input is wrong."""
    name = (name or "").strip()
    if not name:
        raise AccessError("Enter the rep's name.", field="name")
    if len(name) > 120:
        raise AccessError("The name can be at most 120 characters.", field="name")
    try:
        access = RepAccess(access)
    except ValueError:
        raise AccessError("Choose which customers the rep sees.", field="rep_access") from None
    companies = list(companies)
    not_customers = sorted(c.name for c in companies if not c.is_customer)
    if not_customers:
        raise AccessError(f"{join_names(not_customers)} is not a customer; reps act for customers only.",
                          field="allocated_companies")
    rep = User(name=name, kind=UserKind.rep, rep_access=access, is_active_flag=True)
    change_email(rep, email, by)
    rep.allocated_companies = companies
    db.session.add(rep)
    db.session.flush()
    audit.record("rep.created", rep, actor=by or SYSTEM, email=rep.email, access=access.value,
                 allocated=",".join(c.code for c in companies))
    try:
        invitations.invite(rep, invited_by=by)
    except invitations.InvitationError as exc:
        raise AccessError(str(exc)) from None
    return rep


def join_names(names: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
