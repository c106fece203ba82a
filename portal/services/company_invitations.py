"""A customer's admin invites someone to join their company ("Invite a colleague").

An invitation changes nothing for anyone until it is accepted; then, and only then, a membership of the
inviting company is added. Inviting looks no account up: the answer, and the work done, are the same
for any address, and who the address belongs to is settled when the link is used. Accepting never
switches anyone's portal access back on: a person whose access staff revoked stays out until staff let
them in again, and an existing person's access is switched on only when that opens nothing but the
inviting company. Functions add to the current session (the caller commits).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import CompanyInvitation, InvitationState, Membership, Role, TokenPurpose, User, UserKind
from portal.models.base import utcnow
from portal.money import day
from portal.services import audit, mailer, passwords, sign_in, staff_notices, tokens
from portal.services.actor import Actor
from portal.services.errors import CompanyUsersError, RuleError

INVITATION_TTL = timedelta(days=14)


class JoinError(RuleError):
    """The invitation cannot be accepted by the account its address belongs to (the message says why)."""


# --- inviting --------------------------------------------------------------------------------------------

def _clean(name: str | None, email: str | None) -> tuple[str, str]:
    name, email = (name or "").strip(), (email or "").strip().lower()
    if not name:
        raise CompanyUsersError(_("Enter your colleague's name."))
    if len(name) > 120:
        raise CompanyUsersError(_("The name can be at most 120 characters."))
    if not email:
        raise CompanyUsersError(_("Enter your colleague's email address."))
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise CompanyUsersError(_("Enter a valid email address.")) from None
    return name, email


def _role(role_id: int | None) -> Role:
    role = db.session.get(Role, role_id) if role_id else None
    if role is None:
        raise CompanyUsersError(_("Choose a role."))
    return role


def _member(company, email: str) -> Membership | None:
    """The address's active membership of this company (the inviting admin's own list shows it)."""
    return db.session.execute(
        select(Membership).join(Membership.user)
        .where(Membership.company_id == company.id, Membership.is_active.is_(True), func.lower(User.email) == email)
    ).scalar_one_or_none()


def open_invitation(company, email: str) -> CompanyInvitation | None:
    return db.session.execute(
        select(CompanyInvitation).where(CompanyInvitation.company_id == company.id,
                                        CompanyInvitation.open_email == email)
    ).scalar_one_or_none()


def pending(company) -> list[CompanyInvitation]:
    """The company's invitations nobody has accepted or withdrawn yet, newest first."""
    return list(db.session.execute(
        select(CompanyInvitation).where(CompanyInvitation.company_id == company.id,
                                        CompanyInvitation.open_email.is_not(None))
        .order_by(CompanyInvitation.sent_dt.desc(), CompanyInvitation.id.desc())
    ).scalars())


def pending_one(company, invitation_id: int) -> CompanyInvitation | None:
    """One open invitation of this company (None for any other company's)."""
    invitation = db.session.get(CompanyInvitation, invitation_id)
    if invitation is None or invitation.company_id != company.id or invitation.open_email is None:
        return None
    return invitation


def expired(invitation: CompanyInvitation) -> bool:
    return tokens.aware(invitation.expires_dt) <= utcnow()


def invite_colleague(company, *, name: str, email: str, role_id: int, invited_by: Actor) -> CompanyInvitation:
    """Invite someone to join `company` with a role: their invitation email is queued, nothing else changes.

    The answer is the same whoever the address belongs to (nobody's name or kind of account is looked
    up). Refused, changing nothing: bad input, a company without portal access, someone who already
    uses this company, and an address invited already (an expired invitation is sent again instead).
    When the same address is invited by two requests at once, the loser starts over and is told."""
    name, email = _clean(name, email)
    role = _role(role_id)
    if not company.portal_access:
        raise CompanyUsersError(_("%(company)s does not have portal access at the moment, so nobody can be invited. "
                                  "Contact us to have it switched on.", company=company.name))
    for _attempt in range(2):
        try:
            return _invite(company, name, email, role, invited_by)
        except _Raced:
            continue
    raise CompanyUsersError(_("%(email)s was being invited by someone else at the same moment. Try again.",
                              email=email))


class _Raced(Exception):
    """Another transaction invited the same address first; ours was rolled back."""


def _invite(company, name: str, email: str, role: Role, invited_by: Actor) -> CompanyInvitation:
    member = _member(company, email)
    if member is not None and sign_in.may_sign_in(member.user):
        raise CompanyUsersError(_("%(name)s (%(email)s) already has access to %(company)s.", name=member.user.name,
                                  email=email, company=company.name))
    if member is not None and member.user.invitation_state == InvitationState.revoked:
        raise CompanyUsersError(_("The portal access of %(name)s (%(email)s) was switched off by us. Contact us to "
                                  "have it switched on again.", name=member.user.name, email=email))
    invitation = open_invitation(company, email)
    if invitation is not None and not expired(invitation):
        raise CompanyUsersError(_("%(email)s was invited to %(company)s on %(date)s and has not accepted yet. Use "
                                  "Resend in the list of invitations to send it again.", email=email,
                                  company=company.name, date=day(invitation.sent_dt)))
    if invitation is None:
        invitation = CompanyInvitation(company=company, email=email, open_email=email)
        db.session.add(invitation)
    invitation.name, invitation.role, invitation.invited_by_id = name, role, invited_by.user_id
    try:
        _send(invitation, invited_by)
    except IntegrityError:
        db.session.rollback()
        raise _Raced from None
    audit.record("company_invitation.sent", invitation, company_id=company.id, actor=invited_by, email=email,
                 name=name, role=role.name)
    inviter = invited_by.user.name if invited_by.user is not None else "Someone"
    staff_notices.notify("colleague_invited", f"{inviter} invited {name} ({email}) to {company.name} as {role.name}.",
                         company=company, contact_name=name, contact_email=email,
                         link=mailer.external_url("admin_company.edit_view", id=company.id))
    return invitation


def _send(invitation: CompanyInvitation, by: Actor) -> None:
    """A fresh link (the previous one stops working) and the invitation email; flushes."""
    tokens.revoke(invitation.token_id)
    raw, token = tokens.issue_row(TokenPurpose.company_invitation, company=invitation.company, ttl=INVITATION_TTL,
                                  created_by=by.user)
    invitation.sent_dt, invitation.expires_dt = utcnow(), token.expires_dt
    db.session.flush()  # the unique open invitation per address is checked here
    invitation.token_id = token.id
    mailer.send("company_invitation", invitation.email, recipient_name=invitation.name,
                company_name=invitation.company.name, role_name=invitation.role.name,
                invited_by_name=by.user.name if by.user is not None else "",
                link=mailer.external_url("core.join_company", token=raw), expires_days=INVITATION_TTL.days)


def resend(invitation: CompanyInvitation, *, by: Actor) -> None:
    """Send an open invitation again with a fresh 14-day link (the previous link stops working)."""
    if invitation.open_email is None:
        raise CompanyUsersError(_("This invitation was accepted or withdrawn already."))
    _send(invitation, by)
    audit.record("company_invitation.resent", invitation, company_id=invitation.company_id, actor=by,
                 email=invitation.email)


def withdraw(invitation: CompanyInvitation, *, by: Actor) -> None:
    """Withdraw an open invitation: its link stops working at once."""
    if invitation.open_email is None:
        raise CompanyUsersError(_("This invitation was accepted or withdrawn already."))
    invitation.open_email, invitation.withdrawn_dt = None, utcnow()
    tokens.revoke(invitation.token_id)
    audit.record("company_invitation.withdrawn", invitation, company_id=invitation.company_id, actor=by,
                 email=invitation.email)


# --- accepting -------------------------------------------------------------------------------------------

@dataclass
class Invited:
    """What the page behind the link shows: the invitation, and the account its address belongs to."""

    invitation: CompanyInvitation
    #: None: nobody has the address yet (they choose a name and a password)
    account: User | None

    @property
    def needs_password(self) -> bool:
        return self.account is None or not self.account.password_hash


def look_up(raw: str) -> Invited:
    """The open invitation behind a link; raises TokenError (unknown, expired, used, withdrawn)."""
    token = tokens.peek(TokenPurpose.company_invitation, raw)
    invitation = db.session.execute(
        select(CompanyInvitation).where(CompanyInvitation.token_id == token.id)).scalar_one_or_none()
    if invitation is None or invitation.open_email is None:
        raise tokens.TokenError("used" if invitation is not None and invitation.accepted_dt else "revoked", token)
    return Invited(invitation, sign_in.find_user(invitation.email))


@dataclass
class Joined:
    user: User
    #: a new contact was created for the address
    new_account: bool
    #: a password was chosen on the invitation page
    chose_password: bool


def accept(raw: str, *, by: Actor, password: str | None = None, name: str | None = None) -> Joined:
    """Accept an invitation: the person joins the company with the role (a new address becomes a new
    contact with the chosen name and password). Raises TokenError, JoinError or PasswordError and then
    changes nothing. `by` is the visitor using the link."""
    invited = look_up(raw)
    invitation, user = invited.invitation, invited.account
    company = invitation.company
    if user is not None and not user.is_contact:
        raise JoinError(_("%(email)s belongs to an account that cannot join a customer company, so this invitation "
                          "cannot be accepted. Contact us if you need access.", email=invitation.email))
    if not company.portal_access:
        raise JoinError(_("%(company)s does not have portal access at the moment. Contact us.", company=company.name))
    if invited.needs_password:
        name = (name or invitation.name).strip()
        if not name or len(name) > 120:
            raise JoinError(_("Enter your name (at most 120 characters)."))
        passwords.require_strong(password, user or User(email=invitation.email, name=name))
    tokens.redeem(TokenPurpose.company_invitation, raw)
    new = user is None
    if new:
        user = User(email=invitation.email, name=name, kind=UserKind.contact, portal_access=True,
                    invitation_state=InvitationState.accepted)
        db.session.add(user)
    elif _opens_only(user, company):
        user.portal_access = True
    if invited.needs_password:
        user.set_password(password)
        if user.invitation_state in (InvitationState.not_invited, InvitationState.invited) and user.portal_access:
            user.invitation_state = InvitationState.accepted
    try:
        _join(user, company, invitation.role)
    except IntegrityError:
        db.session.rollback()
        raise JoinError(_("%(email)s was being set up elsewhere at the same moment. Open the link from the email "
                          "again.", email=invitation.email)) from None
    invitation.open_email, invitation.accepted_dt, invitation.accepted_by_id = None, utcnow(), user.id
    _tell(invitation, user, by, new)
    return Joined(user, new, invited.needs_password)


def _opens_only(user: User, company) -> bool:
    """May accepting switch this existing person's own portal access on? Only when it was never switched
    off by staff and opens no company but the inviting one."""
    if user.portal_access or not user.is_active or user.invitation_state == InvitationState.revoked:
        return False
    others = db.session.execute(
        select(func.count(Membership.id)).where(Membership.user_id == user.id, Membership.is_active.is_(True),
                                                Membership.company_id != company.id)
    ).scalar_one()
    return others == 0


def _join(user: User, company, role: Role) -> Membership:
    membership = None
    if user.id is not None:
        membership = db.session.execute(
            select(Membership).where(Membership.user_id == user.id, Membership.company_id == company.id)
        ).scalar_one_or_none()
    if membership is None:
        membership = Membership(user=user, company=company, role=role, is_active=True)
        db.session.add(membership)
    else:
        membership.is_active, membership.role = True, role
    db.session.flush()
    return membership


def _tell(invitation: CompanyInvitation, user: User, by: Actor, new: bool) -> None:
    company = invitation.company
    audit.record("company_invitation.accepted", invitation, company_id=company.id, actor=by.as_user(user),
                 email=user.email, role=invitation.role.name, new_contact=new)
    summary = f"{user.name} ({user.email}) accepted the invitation to {company.name} as {invitation.role.name}."
    if not sign_in.may_sign_in(user):
        summary += " Their portal access is switched off, so they cannot sign in until you switch it on."
    staff_notices.notify_about_contact("invitation_accepted", summary, user, company)
    if new:
        mailer.send("welcome", user, company_name=company.name, login_url=mailer.external_url("core.login"))
