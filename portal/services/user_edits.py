"""What staff change on a user record in the back office: email, portal access, password.

The form sets the new values on the user; these rules decide what they mean (links withdrawn,
sessions ended, access refused) with the staff member as actor. Refusals raise a RuleError
naming the form field; the caller rolls back.
"""
from __future__ import annotations

from portal.models import InvitationState, User, UserKind
from portal.services import passwords, portal_access
from portal.services.actor import Actor
from portal.services.errors import RuleError

#: fields whose change goes through the portal_access rules
ACCESS_FIELDS = ("email", "portal_access")


class UserEditError(RuleError):
    """The edit was refused; the message is for staff, `field` names the form field."""


def stored_access(user: User) -> dict[str, object]:
    """The access fields as stored, read before a form overwrites them."""
    return {key: getattr(user, key) for key in ACCESS_FIELDS}


def apply_access(user: User, *, stored: dict[str, object] | None, is_created: bool, by: Actor) -> list[str]:
    """Email and portal access as the form left them go through the portal_access rules: a new email
    withdraws links sent to the old one; access needs a company with access, and off is a revocation.

    The stored values are put back first, so each rule sees the change it makes. Returns what to
    tell the staff member once the record is saved; raises AccessError at the first refusal."""
    notes = []
    wanted = {key: getattr(user, key) for key in ACCESS_FIELDS}
    if stored is not None and not is_created:
        for key, value in stored.items():
            setattr(user, key, value)
    changed = (is_created or wanted["email"] != user.email) and portal_access.change_email(user, wanted["email"], by)
    if changed and not is_created:
        notes.append(f"Email changed to {user.email}: links sent to the old address no longer work.")
    if is_created or bool(wanted["portal_access"]) != bool(user.portal_access):
        turned_off = user.portal_access and not wanted["portal_access"]
        portal_access.set_contact_access(user, bool(wanted["portal_access"]), by)
        if turned_off and not is_created:
            notes.append(f"Portal access of {user.name} revoked: open sessions end on their next request "
                         "and outstanding links no longer work.")
    return notes


def keep_own_staff_access(user: User, by: Actor) -> None:
    """A staff member cannot lock themselves out of the back office."""
    if user.id is not None and user.id == by.user_id and (not user.is_staff or not user.is_active_flag):
        raise UserEditError("You cannot take away your own staff access.", field="kind")


def set_password(user: User, password: str | None, *, is_created: bool, by: Actor) -> None:
    """A password typed by staff: a new account gets it; an existing one changes it, which withdraws
    sign-in links and ends the user's other sessions. Staff and reps cannot be created without one."""
    if not password:
        if is_created and user.kind in (UserKind.staff, UserKind.rep):
            raise UserEditError("Staff and sales reps need a password to sign in.", field="password")
        return
    try:
        if is_created:
            passwords.require_strong(password, user)
            user.set_password(password)
        else:
            passwords.change_password(user, password, by=by)
    except passwords.PasswordError as exc:
        raise UserEditError(" ".join(exc.messages), field="password") from None


def login_state(user: User) -> str:
    """A contact's portal login in a sentence for staff (the contact record)."""
    if not user.is_active:
        return "Deactivated: cannot sign in."
    if user.invitation_state == InvitationState.revoked or (user.invitation_state == InvitationState.accepted
                                                          and not user.portal_access):
        return "Revoked by staff: cannot sign in until staff give access again."
    if user.portal_access:
        how = "password or emailed sign-in link" if user.password_hash else "emailed sign-in link (no password yet)"
        return f"Has a portal login: signs in with a {how}."
    return "No portal login."
