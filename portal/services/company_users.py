"""A customer's own admin manages the company's users: invite, change role, remove access.

Every function works on one company (the acting one, chosen by the caller), never touches a
membership of another company and never changes a person's own portal access: removing someone's
last company signs them out, it does not revoke them (only staff do that).
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Company, CompanyInvitation, InvitationState, Membership, Role, User
from portal.services import audit, company_invitations, portal_access, staff_notices
from portal.services.actor import Actor
from portal.services.errors import CompanyUsersError

MANAGE_USERS = "company.users.manage"


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
    if user.invitation_state == InvitationState.invited:
        return "Invited"
    if user.invitation_state == InvitationState.accepted or (user.portal_access and user.is_active):
        return "Active"
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
        raise CompanyUsersError(_("Choose a role."))
    return role


def invite_colleague(company: Company, *, name: str, email: str, role_id: int,
                     invited_by: Actor) -> CompanyInvitation:
    """Invite someone to join the company (portal.services.company_invitations.invite_colleague)."""
    return company_invitations.invite_colleague(company, name=name, email=email, role_id=role_id,
                                                invited_by=invited_by)


def change_role(membership: Membership, role_id: int, *, by: Actor) -> Role:
    """Give a member another role; never one's own, never the last admin away."""
    role = _role(role_id)
    if membership.user_id == by.user_id:
        raise CompanyUsersError(_("You cannot change your own role. Ask another admin of your company."))
    if not membership.is_active:
        raise CompanyUsersError(_("%(name)s no longer has access. Invite them again first.",
                                  name=membership.user.name))
    if role.id == membership.role_id:
        return role
    if manages_users(membership.role) and not manages_users(role) and _other_admins(membership) == 0:
        raise CompanyUsersError(_("%(name)s is the last admin of %(company)s. Make someone else an admin first.",
                                  name=membership.user.name, company=membership.company.name))
    old = membership.role.name
    membership.role_id = role.id
    db.session.flush()
    db.session.expire(membership, ["role"])
    audit.record("company_user.role_changed", membership, company_id=membership.company_id, actor=by,
                 user=membership.user.email, old=old, new=role.name)
    return role


def remove_access(membership: Membership, *, by: Actor) -> bool:
    """End a member's access to this company; returns True when that left them no company to use, so
    they were signed out (their sessions end and their sign-in links are withdrawn)."""
    if membership.user_id == by.user_id:
        raise CompanyUsersError(_("You cannot remove your own access. Ask another admin of your company."))
    if not membership.is_active:
        raise CompanyUsersError(_("%(name)s has no access to remove.", name=membership.user.name))
    if manages_users(membership.role) and _other_admins(membership) == 0:
        raise CompanyUsersError(_("%(name)s is the last admin of %(company)s. Make someone else an admin first.",
                                  name=membership.user.name, company=membership.company.name))
    membership.is_active = False
    db.session.flush()
    user = membership.user
    audit.record("company_user.removed", membership, company_id=membership.company_id, actor=by, user=user.email)
    staff_notices.notify_about_contact("colleague_removed",
                                       f"{by.user.name} removed {user.name}'s access to {membership.company.name}.",
                                       user, membership.company)
    return portal_access.membership_ended(user, membership.company, by)
