"""Invitations to join a customer company: the admin invites, resends, withdraws; the invitee accepts
from the emailed link (/join/<token>). Rules in portal.services.company_invitations."""
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from portal.blueprints.core import bp
from portal.blueprints.core.access import link_problem, page
from portal.blueprints.core.auth import begin_session, home_for
from portal.blueprints.core.company_users import MANAGE, role_choices
from portal.blueprints.core.forms import ConfirmForm, JoinForm, NewPasswordForm
from portal.extensions import db, limiter
from portal.forms import PortalForm
from portal.i18n import N_
from portal.i18n import lazy_text as _l
from portal.models import CompanyInvitation, TokenPurpose
from portal.permissions import acting, current_actor, public, require_permission
from portal.services import company_invitations, sign_in
from portal.services.errors import CompanyUsersError
from portal.services.passwords import PasswordError
from portal.services.tokens import TokenError

TOO_MANY_INVITATIONS = N_("You have sent many invitations in a short time. Wait a while and try again, or contact "
                          "us if you need to invite more people at once.")


def too_many_invitations() -> str:
    """The rate limit's message, in the reader's language."""
    return _(TOO_MANY_INVITATIONS)


def invitation_limit() -> str:
    return current_app.config.get("COLLEAGUE_INVITE_RATE_LIMIT", "10 per hour")


def _inviter() -> str:
    """Rate-limit key: the signed-in person (anonymous requests are refused before anything is sent)."""
    return f"inviter:{current_user.id}" if current_user.is_authenticated else ""


def _sent(response) -> bool:
    return response.status_code == 302


#: invitations and resends share one limit per person: each sends an email to any address typed
limit_invitations = limiter.shared_limit(invitation_limit, scope="colleague-invitations", key_func=_inviter,
                                         methods=["POST"], deduct_when=_sent, error_message=too_many_invitations)


class InviteForm(PortalForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter your colleague's name.")),
                                               Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(message=_l("Enter your colleague's email address.")),
                                                Email(message=_l("Enter a valid email address."),
                                                      check_deliverability=False), Length(max=254)])
    role = SelectField(_l("Role"), coerce=int, validate_choice=True)
    submit = SubmitField(_l("Send invitation"))


@bp.route("/company/users/invite", methods=["GET", "POST"])
@require_permission(MANAGE)
@limit_invitations
def company_users_invite():
    form = InviteForm()
    form.role.choices = role_choices()
    if not form.is_submitted():
        form.role.data = next((rid for rid, name in form.role.choices if name == "Buyer"), None)
    if form.validate_on_submit():
        company = acting().company
        try:
            invitation = company_invitations.invite_colleague(company, name=form.name.data, email=form.email.data,
                                                              role_id=form.role.data, invited_by=current_actor())
        except CompanyUsersError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            # The same words for any address: who it belongs to is not looked up.
            flash(_("Invitation sent to %(name)s (%(email)s). They join %(company)s when they accept it.",
                    name=invitation.name, email=invitation.email, company=company.name), "success")
            return redirect(url_for("core.company_users_index"))
    return render_template("core/company_users_invite.html", form=form)


def _invitation_or_404(invitation_id: int) -> CompanyInvitation:
    """An open invitation of the acting company; anyone else's is a 404."""
    invitation = company_invitations.pending_one(acting().company, invitation_id)
    if invitation is None:
        abort(404)
    return invitation


@bp.route("/company/users/invitations/<int:invitation_id>/resend", methods=["POST"])
@require_permission(MANAGE)
@limit_invitations
def company_invitation_resend(invitation_id: int):
    invitation = _invitation_or_404(invitation_id)  # the CSRF token is checked by CSRFProtect before this
    company_invitations.resend(invitation, by=current_actor())
    db.session.commit()
    flash(_("Invitation sent to %(name)s (%(email)s) again. The earlier link no longer works.", name=invitation.name,
            email=invitation.email),
          "success")
    return redirect(url_for("core.company_users_index"))


@bp.route("/company/users/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@require_permission(MANAGE)
def company_invitation_withdraw(invitation_id: int):
    invitation = _invitation_or_404(invitation_id)
    company_invitations.withdraw(invitation, by=current_actor())
    db.session.commit()
    flash(_("Invitation of %(name)s (%(email)s) withdrawn: its link no longer works.", name=invitation.name,
            email=invitation.email), "success")
    return redirect(url_for("core.company_users_index"))


# --- the invitee -----------------------------------------------------------------------------------------

def _join_form(invited):
    if invited.account is None:
        form = JoinForm()
        if not form.is_submitted():
            form.name.data = invited.invitation.name
        return form
    return NewPasswordForm() if invited.needs_password else ConfirmForm()


@bp.route("/join/<token>", methods=["GET", "POST"])
@public
def join_company(token: str):
    try:
        invited = company_invitations.look_up(token)
    except TokenError as error:
        return link_problem(TokenPurpose.company_invitation, error)
    form = _join_form(invited)
    problem = None
    if form.validate_on_submit():
        try:
            joined = company_invitations.accept(token, by=current_actor(), password=getattr(form, "password", None)
                                                and form.password.data, name=getattr(form, "name", None)
                                                and form.name.data)
        except TokenError as error:
            return link_problem(TokenPurpose.company_invitation, error)
        except PasswordError as error:
            db.session.rollback()
            form.password.errors = [*form.password.errors, *error.messages]
        except company_invitations.JoinError as error:
            db.session.rollback()
            problem = str(error)
        else:
            return _after_joining(joined, invited.invitation.company.name)
    return page("core/join_company.html", form=form, invited=invited, problem=problem)


def _after_joining(joined, company_name: str):
    db.session.commit()
    user = joined.user
    if not sign_in.may_sign_in(user):
        flash(_("You joined %(company)s, but your portal access is switched off at the moment. Contact us to "
                "have it switched on.", company=company_name), "error")
        return redirect(url_for("core.login"))
    if joined.chose_password:
        begin_session(user, sign_in.INVITATION)
        flash(_("Welcome! You joined %(company)s and are signed in.", company=company_name), "success")
        return redirect(home_for(user))
    if current_user.is_authenticated and current_user.id == user.id:
        flash(_("You joined %(company)s. Choose it with the company switcher.", company=company_name), "success")
        return redirect(home_for(user))
    flash(_("You joined %(company)s. Sign in to continue.", company=company_name), "success")
    return redirect(url_for("core.login"))
