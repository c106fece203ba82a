"""The customer's own admin manages the company's users (always the acting company's only)."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField

from portal.blueprints.core import bp
from portal.extensions import db
from portal.forms import PortalForm
from portal.models import Membership
from portal.permissions import acting, current_actor, require_permission
from portal.services import company_invitations, company_users
from portal.services.company_users import CompanyUsersError

MANAGE = "company.users.manage"


def role_choices() -> list[tuple[int, str]]:
    return [(role.id, role.name) for role in company_users.roles()]


class RoleForm(PortalForm):
    role = SelectField(_l("Role"), coerce=int, validate_choice=True)
    submit = SubmitField(_l("Change role"))


def _member_or_404(user_id: int) -> Membership:
    """The user's membership in the acting company; anyone else's is a 404."""
    membership = company_users.membership_of(acting().company, user_id)
    if membership is None:
        abort(404)
    return membership


@bp.route("/company/users")
@require_permission(MANAGE)
def company_users_index():
    company = acting().company
    rows = [(m, company_users.access_state(m)) for m in company_users.members(company)]
    invitations = [(i, company_invitations.expired(i)) for i in company_invitations.pending(company)]
    return render_template("core/company_users.html", company=company, rows=rows, invitations=invitations,
                           action_form=FlaskForm())


@bp.route("/company/users/<int:user_id>", methods=["GET", "POST"])
@require_permission(MANAGE)
def company_user(user_id: int):
    membership = _member_or_404(user_id)
    form = RoleForm()
    form.role.choices = role_choices()
    if not form.is_submitted():
        form.role.data = membership.role_id
    if form.validate_on_submit():
        try:
            role = company_users.change_role(membership, form.role.data, by=current_actor())
        except CompanyUsersError as error:
            db.session.rollback()
            form.role.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(name)s now has the role %(role)s.", name=membership.user.name, role=role.name), "success")
            return redirect(url_for("core.company_users_index"))
    return render_template("core/company_users_member.html", membership=membership, form=form,
                           remove_form=FlaskForm(), state=company_users.access_state(membership),
                           is_self=membership.user_id == current_user.id)


@bp.route("/company/users/<int:user_id>/remove", methods=["POST"])
@require_permission(MANAGE)
def company_user_remove(user_id: int):
    membership = _member_or_404(user_id)  # the CSRF token is checked by CSRFProtect before this
    name, company = membership.user.name, acting().company.name
    try:
        all_gone = company_users.remove_access(membership, by=current_actor())
    except CompanyUsersError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("core.company_user", user_id=user_id))
    db.session.commit()
    flash(_("%(name)s no longer has access to %(company)s. They had no other company, so their sign-in is switched off.",
            name=name, company=company) if all_gone
          else _("%(name)s no longer has access to %(company)s.", name=name, company=company), "success")
    return redirect(url_for("core.company_users_index"))
