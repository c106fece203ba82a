"""Staff give a contact a portal login, and the contact is told.

Whenever staff give a contact access to a company — switching the contact's own access on (the
contact record, "Create portal login") or adding them to a company, or reactivating that membership
(the company record, Memberships) — the contact gets one welcome email naming the companies, with a
link that emails them a sign-in link (no password needed). Switching a whole company's portal on
emails nobody: that is the company's switch, not a grant to a person. Functions add to the current
session: the caller commits.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from portal.extensions import db
from portal.models import Company, InvitationState, Membership, User, UserKind
from portal.services import audit, mailer, portal_access
from portal.services.actor import SYSTEM, Actor


def granted(user_ids: Iterable[int | None]) -> dict[int, set[int]]:
    """The companies staff have given each contact: active memberships while the contact's own access
    is on (whether the company's portal is switched on is left out). One query."""
    ids = [i for i in set(user_ids) if i is not None]
    result: dict[int, set[int]] = {i: set() for i in ids}
    if ids:
        rows = db.session.execute(
            select(Membership.user_id, Membership.company_id).join(User, User.id == Membership.user_id)
            .where(Membership.user_id.in_(ids), Membership.is_active.is_(True), User.kind == UserKind.contact,
                   User.portal_access.is_(True), User.is_active_flag.is_(True),
                   User.invitation_state != InvitationState.revoked))
        for user_id, company_id in rows:
            result[user_id].add(company_id)
    return result


def welcome_new(before: dict[int, set[int]], user_ids: Iterable[int | None], by: Actor | None) -> list[User]:
    """Email every contact given a company since `before` (a granted() taken before the change) that
    has its portal on: one welcome with a sign-in link each. Flushes; returns the contacts emailed."""
    db.session.flush()
    after = granted(user_ids)
    welcomed = []
    for user_id, companies in after.items():
        new = companies - before.get(user_id, set())
        names = sorted(db.session.execute(
            select(Company.name).where(Company.id.in_(new), Company.portal_access.is_(True))).scalars()) if new else []
        if names:
            user = db.session.get(User, user_id)
            _send_welcome(user, names, by or SYSTEM)
            welcomed.append(user)
    return welcomed


def _send_welcome(user: User, company_names: list[str], by: Actor) -> None:
    mailer.send("access_granted", user, company_name=portal_access.join_names(company_names),
                sign_in_link_url=mailer.external_url("core.request_magic_link", email=user.email),
                login_url=mailer.external_url("core.login"), has_password=bool(user.password_hash))
    audit.record("access.welcomed", user, actor=by, email=user.email, companies=", ".join(company_names))


def create_login(user: User, by: Actor | None) -> list[User]:
    """"Create portal login" on a contact record: switch the contact's own access on (lifting a
    revocation: this is staff deciding) and email the welcome with a sign-in link. Raises AccessError
    and changes nothing when the contact cannot have one."""
    if not user.is_contact:
        raise portal_access.AccessError(f"{user.email} is not a customer contact: staff and sales reps sign in "
                                        "with the password set on their record.")
    if not user.is_active:
        raise portal_access.AccessError(f"{user.email} is deactivated. Activate the account first.")
    if user.portal_access and user.invitation_state != InvitationState.revoked:
        raise portal_access.AccessError(f"{user.name} already has a portal login. To send a password link, use "
                                        "Send invitation on the Invitations screen.")
    before = granted([user.id])
    portal_access.set_contact_access(user, True, by)
    return welcome_new(before, [user.id], by)
