"""A customer's own admin manages the company's users: invite, change role, remove access.

Every function works on one company (the acting one, chosen by the caller) and never
touches a membership of another company.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Company, InvitationState, Membership, Role, User, UserKind
from portal.services import audit, invitations, mailer, staff_notices
from portal.services.actor import Actor

MANAGE_USERS = "company.users.manage"


class CompanyUsersError(ValueError):
    """The change was refused; the message is shown to the user."""


@dataclass
class InviteResult:
    membership: Membership
    link: str
    #: True when the email belonged to no one yet and a new contact was created
    new_contact: bool


def roles() -> list[Role]:
    return list(db.session.execute(select(Role).order_by(Role.name)).scalars())


def members(company: Company) -> list[Membership]:
    """Everyone with a membership in the company, removed ones last."""
    return list(db.session.execute(
        select(Membership).join(Membership.user).where(Membership.company_id == company.id)
        .order_by(Membership.is_active.desc(), func.lower(User.name), User.id)
    ).scalars())


def membership_of(company: Company, user_id: int) -> Membership | None:
    """The user's membership in this company only (None for anyone else's)."""
    return db.session.execute(
        select(Membership).where(Membership.company_id == company.id, Membership.user_id == user_id)
    ).scalar_one_or_none()


def access_state(membership: Membership) -> str:
    """What the admin sees in the list: Removed, Active, Invited, Not invited, Access revoked."""
    user = membership.user
    if not membership.is_active:
        return "Removed"
    if user.invitation_state == InvitationState.revoked or (
            user.invitation_state == InvitationState.accepted and not user.portal_access):
        return "Access revoked"
    if user.invitation_state == InvitationState.accepted:
        return "Active"
    if user.invitation_state == InvitationState.invited:
        return "Invited"
    return "Not invited"


def manages_users(role: Role) -> bool:
    return bool(role.all_permissions or MANAGE_USERS in (role.permissions or []))


def _other_admins(membership: Membership) -> int:
    """Other members of the same company who can sign in and whose role manages users."""
    others = db.session.execute(
        select(Membership).join(Membership.user)
        .where(Membership.company_id == membership.company_id, Membership.id != membership.id,
               Membership.is_active.is_(True), User.portal_access.is_(True), User.is_active_flag.is_(True))
    ).scalars()
    return sum(1 for m in others if manages_users(m.role))


def _role(role_id: int) -> Role:
    role = db.session.get(Role, role_id) if role_id else None
    if role is None:
        raise CompanyUsersError("Choose a role.")
    return role


def invite_colleague(company: Company, *, name: str, email: str, role_id: int, invited_by: Actor) -> InviteResult:
    """Give a colleague access to the company and send the invitation email.

    A new email becomes a new contact; an existing contact gets a membership here. Staff and
    sales rep accounts are never taken over. On any refusal nothing is changed. When the same
    person is being given access by another request at the same moment, the loser starts over
    and so sees what the winner did (usually "already has access").
    """
    name, email = (name or "").strip(), (email or "").strip().lower()
    if not name:
        raise CompanyUsersError("Enter your colleague's name.")
    if not email or "@" not in email:
        raise CompanyUsersError("Enter your colleague's email address.")
    for _attempt in range(2):
        try:
            return _invite(company, name, email, _role(role_id), invited_by)
        except _Raced:
            continue
    raise CompanyUsersError(f"{email} was being given access by someone else at the same moment. Try again.")


class _Raced(Exception):
    """Another transaction created the same contact or membership first; ours was rolled back."""


def _invite(company: Company, name: str, email: str, role: Role, invited_by: Actor) -> InviteResult:
    user = db.session.execute(select(User).where(func.lower(User.email) == email)).scalar_one_or_none()
    new_contact = user is None
    if user is not None and user.kind != UserKind.contact:
        raise CompanyUsersError(f"{email} is used by an account that is not a customer contact, so it cannot "
                                "be invited here. Use another email address or contact us.")
    if user is None:
        user = User(email=email, name=name, kind=UserKind.contact)
        db.session.add(user)
    membership = membership_of(company, user.id) if user.id else None
    if membership is not None and membership.is_active:
        raise CompanyUsersError(f"{user.name} ({email}) already has access to {company.name}.")
    if membership is None:
        membership = Membership(user=user, company=company, role=role, is_active=True)
        db.session.add(membership)
    else:
        membership.is_active, membership.role = True, role
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _Raced from None
    try:
        link = _grant(user, company, invited_by)
    except invitations.InvitationError as error:
        db.session.rollback()
        raise CompanyUsersError(str(error)) from None
    audit.record("company_user.invited", membership, company_id=company.id, actor=invited_by, email=email,
                 role=role.name, new_contact=new_contact)
    staff_notices.notify_about_contact("colleague_invited", f"{invited_by.user.name} gave {user.name} ({email}) "
                                       f"access to {company.name} as {role.name}.", user, company)
    return InviteResult(membership=membership, link=link, new_contact=new_contact)


def _grant(user: User, company: Company, invited_by: Actor) -> str:
    """Someone who already signs in gets a "welcome" email for the new company; others an invitation."""
    if user.invitation_state == InvitationState.accepted and user.portal_access and user.password_hash:
        login_url = mailer.external_url("core.login")
        mailer.send("welcome", user, company_name=company.name, login_url=login_url)
        return login_url
    return invitations.invite(user, invited_by=invited_by, send_email=True)


def change_role(membership: Membership, role_id: int, *, by: Actor) -> Role:
    """Give a member another role; never one's own, never the last admin away."""
    role = _role(role_id)
    if membership.user_id == by.user_id:
        raise CompanyUsersError("You cannot change your own role. Ask another admin of your company.")
    if not membership.is_active:
        raise CompanyUsersError(f"{membership.user.name} no longer has access. Invite them again first.")
    if role.id == membership.role_id:
        return role
    if manages_users(membership.role) and not manages_users(role) and _other_admins(membership) == 0:
        raise CompanyUsersError(f"{membership.user.name} is the last admin of {membership.company.name}. "
                                "Make someone else an admin first.")
    old = membership.role.name
    membership.role_id = role.id
    db.session.flush()
    db.session.expire(membership, ["role"])
    audit.record("company_user.role_changed", membership, company_id=membership.company_id, actor=by,
                 user=membership.user.email, old=old, new=role.name)
    return role


def remove_access(membership: Membership, *, by: Actor) -> bool:
    """End a member's access to this company; returns True when the contact lost all portal access."""
    if membership.user_id == by.user_id:
        raise CompanyUsersError("You cannot remove your own access. Ask another admin of your company.")
    if not membership.is_active:
        raise CompanyUsersError(f"{membership.user.name} has no access to remove.")
    if manages_users(membership.role) and _other_admins(membership) == 0:
        raise CompanyUsersError(f"{membership.user.name} is the last admin of {membership.company.name}. "
                                "Make someone else an admin first.")
    membership.is_active = False
    db.session.flush()
    user = membership.user
    still_member = db.session.execute(
        select(func.count(Membership.id)).where(Membership.user_id == user.id, Membership.is_active.is_(True))
    ).scalar_one()
    audit.record("company_user.removed", membership, company_id=membership.company_id, actor=by, user=user.email)
    staff_notices.notify_about_contact("colleague_removed",
                                       f"{by.user.name} removed {user.name}'s access to {membership.company.name}.",
                                       user, membership.company)
    if still_member == 0:
        invitations.revoke(user, by=by)
        return True
    return False
