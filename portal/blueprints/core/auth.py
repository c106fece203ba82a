"""Sign in and sign out, and the rate limits shared by every sign-in page.

Password sign-in is limited per client address and, separately, per submitted email. The per-email
limit counts only failed attempts and is higher than the per-address one, so an attacker at one address
is stopped before the real user at another address is. An attacker using many addresses can still run
up the per-email limit: the refusal then offers a sign-in link by email, which nobody else can use and
which is limited per client address only.
"""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import login_session
from portal.blueprints.core import bp
from portal.blueprints.core.forms import LoginForm
from portal.extensions import limiter
from portal.i18n import N_
from portal.models import User
from portal.permissions import active_memberships, current_actor, public
from portal.services import sign_in
from portal.services.redirects import safe_next
from portal.services.sign_in import authenticate

TOO_MANY_FROM_ADDRESS = N_("Too many attempts from your network. Wait a minute and try again.")
TOO_MANY_FOR_EMAIL = N_("Too many attempts for this email address. Wait a minute and try again, or sign in with a "
                        "link sent to your email address.")


def too_many_from_address() -> str:
    """The rate limit's message, in the reader's language (Flask-Limiter calls it when it refuses)."""
    return _(TOO_MANY_FROM_ADDRESS)


def too_many_for_email() -> str:
    return _(TOO_MANY_FOR_EMAIL)


def _login_limit():
    return current_app.config.get("LOGIN_RATE_LIMIT", "10 per minute")


def _login_email_limit():
    return current_app.config.get("LOGIN_EMAIL_RATE_LIMIT", "20 per minute")


def link_limit():
    return current_app.config.get("LINK_RATE_LIMIT", "5 per minute")


def submitted_email() -> str:
    """Rate-limit key: the email in the posted form (empty: this limit does not apply)."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"email:{email}" if email else ""


def failed_attempt(response) -> bool:
    """A login POST that re-rendered the form (wrong password); 429s are not attempts."""
    return response.status_code == 200


def home_for(user: User) -> str:
    if user.is_staff:
        return url_for("admin.index")
    if user.is_rep:
        return url_for("core.choose_customer")
    memberships = active_memberships(user)
    if memberships and memberships[0].company.is_customer:
        return url_for("core.dashboard")
    # supplier-only contacts have their own start page
    return url_for("core.home")


def begin_session(user: User, how: str) -> None:
    """Sign the user in (a fresh session; commits) and record the sign-in for their companies."""
    actor = current_actor()
    sign_in.record_sign_in(user, actor, how)
    login_session.start(user, actor)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], error_message=too_many_from_address)
@limiter.limit(_login_email_limit, key_func=submitted_email, methods=["POST"], deduct_when=failed_attempt,
               error_message=too_many_for_email)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            begin_session(user, sign_in.PASSWORD)
            return redirect(safe_next(form.next.data) or home_for(user))
        # One answer for unknown email, wrong password and no access: reveals nothing.
        flash(_("That email and password did not match an account with portal access."), "error")
    return render_template("core/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout():
    login_session.end()
    flash(_("You are signed out."), "info")
    return redirect(url_for("core.login"))
