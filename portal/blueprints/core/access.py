"""Pages reached from emailed links: accept an invitation, sign in by link, reset a password."""
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.blueprints.core import bp
from portal.blueprints.core.auth import begin_session, home_for, link_limit, too_many_from_address
from portal.blueprints.core.forms import ConfirmForm, EmailForm, NewPasswordForm
from portal.extensions import db, limiter
from portal.i18n import N_
from portal.models import Company, TokenPurpose
from portal.permissions import current_actor, public
from portal.services import invitations, link_requests, passwords, sign_in, tokens
from portal.services.passwords import PasswordError
from portal.services.tokens import TokenError

# Link requests are handled once the response is sent (and their mail delivered then); other mail
# queued by a request is portal.mail_after_request's.
bp.after_app_request(link_requests.handle_after_response)


def page(template: str, status: int = 200, **context):
    """Pages carrying a token in their URL are never cached."""
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def link_problem(purpose: TokenPurpose, error: TokenError):
    """A friendly page for a link that cannot be used: 404 when unknown, 410 otherwise."""
    db.session.rollback()
    status = 404 if error.reason == "unknown" else 410
    return page("core/link_problem.html", status, purpose=purpose.value, reason=error.reason)


def _password_errors(form: NewPasswordForm, error: PasswordError) -> None:
    form.password.errors = [*form.password.errors, *error.messages]


def _start_or_explain(user, message: str, how: str):
    """Sign the user in with a fresh session, or explain why their access is not active."""
    db.session.commit()
    if sign_in.may_sign_in(user):
        begin_session(user, how)
        flash(message, "success")
        return redirect(home_for(user))
    flash(_("Your password is set, but your portal access is switched off at the moment. "
            "Contact us to have it switched on."), "error")
    return redirect(url_for("core.login"))


# --- invitations ----------------------------------------------------------------------------------

@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    try:
        invitation = tokens.peek(TokenPurpose.invitation, token)
    except TokenError as error:
        return link_problem(TokenPurpose.invitation, error)
    company = db.session.get(Company, invitation.company_id) if invitation.company_id else None
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = invitations.accept(token, form.password.data, by=current_actor())
        except TokenError as error:
            return link_problem(TokenPurpose.invitation, error)
        except PasswordError as error:
            db.session.rollback()
            _password_errors(form, error)
        else:
            return _start_or_explain(user, _("Welcome! Your password is set and you are signed in."),
                                     sign_in.INVITATION)
    return page("core/accept_invitation.html", form=form, user=invitation.user, company=company)


# --- sign-in links ---------------------------------------------------------------------------------

def _ask_for_link(purpose: TokenPurpose, request_template: str, what: str, minutes: int):
    """The page that asks for a link by email: the same work and the same answer for any address
    (the request is stored and handled after the response). Only the client address is rate limited:
    a limit per email address would let anyone lock its owner out of the link they need."""
    form = EmailForm()
    if not form.is_submitted():
        form.email.data = (request.args.get("email") or "").strip()[:254]
    if form.validate_on_submit():
        link_requests.ask(purpose, form.email.data)
        db.session.commit()
        return page("core/link_sent.html", what=_(what), minutes=minutes)
    return page(request_template, form=form)


@bp.route("/login/link", methods=["GET", "POST"])
@public
@limiter.limit(link_limit, methods=["POST"], error_message=too_many_from_address)
def request_magic_link():
    return _ask_for_link(TokenPurpose.magic_link, "core/magic_link_request.html", N_("sign-in link"),
                         int(sign_in.MAGIC_LINK_TTL.total_seconds() // 60))


@bp.route("/login/link/<token>", methods=["GET", "POST"])
@public
def magic_link(token: str):
    # GET only shows a button: mail scanners that open links must not use the token up.
    try:
        link = tokens.peek(TokenPurpose.magic_link, token)
    except TokenError as error:
        return link_problem(TokenPurpose.magic_link, error)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user = sign_in.sign_in_with_link(token)
        except TokenError as error:
            return link_problem(TokenPurpose.magic_link, error)
        db.session.commit()
        begin_session(user, sign_in.LINK)
        flash(_("You are signed in."), "success")
        return redirect(home_for(user))
    return page("core/magic_link.html", form=form, user=link.user)


# --- password reset --------------------------------------------------------------------------------

@bp.route("/password/reset", methods=["GET", "POST"])
@public
@limiter.limit(link_limit, methods=["POST"], error_message=too_many_from_address)
def request_password_reset():
    return _ask_for_link(TokenPurpose.password_reset, "core/reset_request.html", N_("password reset link"),
                         int(passwords.RESET_TTL.total_seconds() // 60))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        reset = tokens.peek(TokenPurpose.password_reset, token)
    except TokenError as error:
        return link_problem(TokenPurpose.password_reset, error)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = passwords.reset_with_token(token, form.password.data, by=current_actor())
        except TokenError as error:
            return link_problem(TokenPurpose.password_reset, error)
        except PasswordError as error:
            db.session.rollback()
            _password_errors(form, error)
        else:
            return _start_or_explain(user, _("Your password is changed and you are signed in. "
                                             "Any other device was signed out."), sign_in.RESET)
    return page("core/reset_password.html", form=form, user=reset.user)
