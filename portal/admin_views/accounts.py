"""People who sign in (staff, customer contacts, sales reps), their memberships, and customer roles."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.form import Select2Widget
from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError

from portal.admin_views.base import StaffInline, StaffModelView, obey
from portal.admin_views.companies import CUSTOMERS, contacts, customers, known_choices
from portal.admin_views.fields import SetPasswordField
from portal.admin_views.filters import company_filter
from portal.admin_views.return_urls import return_target
from portal.admin_views.welcome import WelcomesNewAccess
from portal.extensions import db
from portal.i18n import LANGUAGES
from portal.models import Membership, RepAccess, Role, User, UserKind
from portal.permissions import all_permissions, current_actor
from portal.routing import parse_id
from portal.services import portal_access, portal_logins, user_edits

SETTINGS = "Settings"
SECRET_COLUMNS = ("password_hash",)
REP_ACCESS_CHOICES = [(RepAccess.all.value, "All customers"), (RepAccess.allocated.value, "Allocated customers only")]


def _companies(view, context, user, name):
    """A contact's companies (with the role), a rep's allocated customers."""
    if user.kind == UserKind.rep:
        names = [c.name for c in user.allocated_companies] if user.rep_access == RepAccess.allocated else ["all customers"]
    else:
        names = [f"{m.company.name} ({m.role.name})" for m in user.memberships if m.is_active]
    return Markup("<br>".join(escape(n) for n in sorted(names)))


class UserAdmin(WelcomesNewAccess, StaffModelView):
    edit_template = "admin/user_edit.html"
    column_list = ("name", "email", "kind", "companies", "is_active_flag", "portal_access", "invitation_state",
                   "last_login_dt", "created_dt")
    column_formatters = {"companies": _companies}
    column_exclude_list = SECRET_COLUMNS
    column_details_exclude_list = SECRET_COLUMNS
    column_export_exclude_list = SECRET_COLUMNS
    column_searchable_list = ("name", "email", "phone")
    column_filters = ("kind", "is_active_flag", "portal_access", "invitation_state", "rep_access", "last_login_dt",
                      "created_dt")
    column_labels = {"kind": "Type", "is_active_flag": "May sign in", "portal_access": "Portal access (contact)",
                     "rep_access": "Rep sees", "allocated_companies": "Allocated customers",
                     "last_login_dt": "Last sign-in"}
    readonly_columns = ("invitation_state", "last_login_dt")
    form_columns = ("name", "email", "phone", "language", "kind", "is_active_flag", "portal_access", "rep_access",
                    "allocated_companies", "password")
    #: blank: the business's default (the portal.language setting)
    form_choices = {"language": list(LANGUAGES)}
    form_extra_fields = {"password": SetPasswordField()}
    form_args = {"allocated_companies": {"query_factory": customers, "validators": [known_choices],
                                         "description": "Sales reps with 'allocated' access act only for these."},
                 "portal_access": {"description": "Contacts only: needs a company with customer portal access. "
                                                  "Switching it off ends the contact's sessions and links at once."},
                 "email": {"description": "Changing it withdraws invitation and sign-in links sent to the old "
                                          "address."},
                 "language": {"description": "Pages (the back office too, for staff) and emails are written in this "
                                             "language; empty: the business's default."}}

    def get_query(self):
        return super().get_query().options(
            selectinload(User.memberships).joinedload(Membership.company),
            selectinload(User.memberships).joinedload(Membership.role),
            selectinload(User.allocated_companies))

    def create_form(self, obj=None):
        form = super().create_form(obj)
        form.rep_access.choices = REP_ACCESS_CHOICES
        return form

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        form.rep_access.choices = REP_ACCESS_CHOICES
        return form
    inline_models = (
        StaffInline(Membership, form_columns=("id", "company", "role", "job_title", "is_active"),
                    form_label="Companies (contacts)"),
    )

    def update_model(self, form, model):
        form.stored_access = user_edits.stored_access(model)  # before the form overwrites them
        return super().update_model(form, model)

    def contacts_touched(self, form, model) -> set[int]:
        return {model.id} if model is not None and model.id is not None else set()

    def on_model_change(self, form, model, is_created):
        by = current_actor()
        with obey(form):
            notes = user_edits.apply_access(model, stored=getattr(form, "stored_access", None),
                                            is_created=is_created, by=by)
            user_edits.keep_own_staff_access(model, by)
            user_edits.set_password(model, form.password.data, is_created=is_created, by=by)
        super().on_model_change(form, model, is_created)
        self.welcome_new_access(form, model)
        for note in notes:
            flash(note, "info")

    def login_state(self, user: User) -> str:
        """The contact record's "Portal login" panel: what the contact can do now."""
        return user_edits.login_state(user)

    @expose("/create-login/", methods=("POST",))
    def create_login(self):
        """"Create portal login" on a contact record: access on, and a welcome email with a sign-in link."""
        raw = request.form.get("user_id", "")
        user = self.get_one(raw) if parse_id(raw) else None
        back = return_target() or url_for(".index_view")
        if user is None:
            flash("That contact was not found; it may have been removed.", "error")
            return redirect(back)
        try:
            welcomed = portal_logins.create_login(user, current_actor())
        except portal_access.AccessError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"Portal login created for {user.name}: a welcome email with a sign-in link is on its way to "
                  f"{user.email}." if welcomed else f"Portal access of {user.name} switched on.", "success")
        return redirect(back)


class MembershipAdmin(WelcomesNewAccess, StaffModelView):
    column_list = ("user", "company", "role", "job_title", "is_active", "created_dt")
    column_searchable_list = ("job_title",)
    column_filters = (company_filter(Membership.company_id), "role", "is_active", "created_dt")
    form_columns = ("user", "company", "role", "job_title", "is_active")
    form_args = {"user": {"query_factory": contacts, "label": "Contact"}}
    column_descriptions = {"is_active": "Unticked: the contact no longer sees this company. Without another "
                                        "company they are signed out at once."}

    def contacts_touched(self, form, model) -> set[int]:
        chosen = getattr(getattr(form, "user", None), "data", None)
        return {i for i in (getattr(model, "user_id", None), getattr(chosen, "id", None)) if i is not None}

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        if not model.is_active:
            _ended(model)
        self.welcome_new_access(form, model)

    def on_model_delete(self, model):
        super().on_model_delete(model)
        _ended(model)


def _ended(membership: Membership) -> None:
    """Saved with the membership change: a contact left without a company is signed out."""
    if portal_access.membership_ended(membership.user, membership.company, current_actor()):
        flash(f"{membership.user.name} has no other company with portal access and is signed out.", "info")


def _permission_choices(current: list[str] | None) -> list[tuple[str, str]]:
    declared = all_permissions()
    choices = [(key, f"{key} — {label}") for key, label in sorted(declared.items())]
    # Keys of a feature that is gone stay visible so saving does not silently drop them.
    choices += [(key, f"{key} (no longer declared)") for key in current or [] if key not in declared]
    return choices


def _permissions_formatter(view, context, model, name):
    if model.all_permissions:
        return Markup("<em>All permissions</em>")
    return Markup(", ".join(f"<code>{escape(k)}</code>" for k in model.permissions or []))


class RoleAdmin(StaffModelView):
    column_list = ("name", "description", "all_permissions", "permissions", "is_builtin")
    column_searchable_list = ("name", "description")
    column_filters = ("is_builtin", "all_permissions")
    column_default_sort = ("name", False)
    column_formatters = {"permissions": _permissions_formatter}
    column_labels = {"is_builtin": "Built-in", "all_permissions": "Grants everything"}
    column_descriptions = {"all_permissions": "Also grants the permissions of features added later."}
    readonly_columns = ("is_builtin",)
    form_columns = ("name", "description", "all_permissions", "permissions")
    form_extra_fields = {
        "permissions": SelectMultipleField("Permissions", widget=Select2Widget(multiple=True),
                                           render_kw={"data-placeholder": "Click to choose permissions"},
                                           description="What contacts with this role may do in the portal."),
    }

    def create_form(self, obj=None):
        form = super().create_form(obj)
        form.permissions.choices = _permission_choices(form.permissions.data)
        return form

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        form.permissions.choices = _permission_choices(obj.permissions if obj is not None else None)
        return form

    def on_model_change(self, form, model, is_created):
        model.permissions = sorted(set(form.permissions.data or []))
        super().on_model_change(form, model, is_created)

    def on_model_delete(self, model):
        if model.is_builtin:
            raise ValidationError(f"“{model.name}” is a built-in role: edit it, but it cannot be deleted.")
        super().on_model_delete(model)


def views():
    return [
        UserAdmin(User, "Users", CUSTOMERS),
        MembershipAdmin(Membership, "Memberships", CUSTOMERS),
        RoleAdmin(Role, "Customer roles", SETTINGS),
    ]
