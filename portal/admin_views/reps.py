"""The Sales reps screen: who acts for customers, which ones, and the "Invite sales rep" form.

A rep's record (name, email, access type, allocated customers) is edited on the Users screen;
allocation is also editable on the company record ("Sales reps")."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.fields import QuerySelectMultipleField
from flask_admin.form import Select2Widget
from markupsafe import Markup, escape
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import Email, InputRequired, Length

from portal.admin_views.accounts import REP_ACCESS_CHOICES
from portal.admin_views.base import ReadOnlyModelView, selected_ids
from portal.admin_views.companies import CUSTOMERS, customers, known_choices
from portal.admin_views.fields import badge
from portal.extensions import db
from portal.forms import PortalForm
from portal.models import RepAccess, User, UserKind
from portal.permissions import current_actor
from portal.services import portal_access


def _lower(value):
    return value.strip().lower() if isinstance(value, str) else value


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RepInviteForm(PortalForm):
    name = StringField("Name", filters=[_strip], validators=[InputRequired("Enter the rep's name."), Length(max=120)])
    email = EmailField("Email", filters=[_lower],
                       validators=[InputRequired("Enter the rep's email address."),
                                   Email("Enter a valid email address.")])
    rep_access = SelectField("Access type", choices=REP_ACCESS_CHOICES, default=RepAccess.allocated.value,
                            validators=[InputRequired("Choose which customers the rep sees.")])
    allocated_companies = QuerySelectMultipleField(
        "Allocated customers", query_factory=customers, widget=Select2Widget(multiple=True),
        validators=[known_choices],
        render_kw={"data-placeholder": "Click to choose customers"},
        description="Optional. A rep with \"allocated customers only\" access acts only for these; you can change "
                    "them later here or on the company record.")


def _name(view, context, model, name):
    url = url_for("admin_user.edit_view", id=model.id, url=request.full_path.rstrip("?"))
    return Markup(f'<a href="{escape(url)}" title="Edit {escape(model.name)}">{escape(model.name)}</a>')


def _access(view, context, model, name):
    return dict(REP_ACCESS_CHOICES).get(getattr(model.rep_access, "value", model.rep_access), "")


def _allocated(view, context, model, name):
    if model.rep_access == RepAccess.all:
        return Markup('<span class="text-muted">every customer</span>')
    names = sorted(c.name for c in model.allocated_companies)
    return ", ".join(names) if names else Markup('<span class="text-muted">— none yet —</span>')


def _reps(query):
    return query.filter(User.kind == UserKind.rep)


class SalesRepsAdmin(ReadOnlyModelView):
    list_template = "admin/reps_list.html"
    can_export = False
    can_view_details = False
    column_display_actions = False
    column_list = ("name", "email", "rep_access", "allocated_companies", "invitation_state", "last_login_dt",
                   "is_active_flag")
    column_sortable_list = ("name", "email", "rep_access", "invitation_state", "last_login_dt")
    column_default_sort = [("name", False), ("id", False)]
    column_searchable_list = ("name", "email")
    column_filters = ("rep_access", "invitation_state", "is_active_flag")
    column_labels = {"rep_access": "Access type", "allocated_companies": "Allocated customers",
                     "invitation_state": "Invitation", "last_login_dt": "Last sign-in", "is_active_flag": "May sign in"}
    column_formatters = {"name": _name, "rep_access": _access, "allocated_companies": _allocated,
                         "invitation_state": lambda v, c, m, n: badge(m.invitation_state)}

    def __init__(self, name: str = "Sales reps", category: str = CUSTOMERS):
        super().__init__(User, name, category, slug="sales_reps")

    def get_query(self):
        return _reps(super().get_query())

    def get_count_query(self):
        return _reps(super().get_count_query())

    def get_one(self, id):
        user = super().get_one(id)
        return user if user is not None and user.is_rep else None

    @action("resend", "Resend invitation", "Send a new invitation email to the selected reps?")
    def action_resend(self, ids):
        reps = _reps(db.session.query(User)).filter(User.id.in_(selected_ids(ids))).order_by(User.name).all()
        if not reps:
            flash("Select at least one sales rep.", "error")
            return
        report = portal_access.invite_many(reps, current_actor())
        db.session.commit()
        if report.sent:
            flash(f"Invitation queued for {len(report.sent)} rep(s): {', '.join(u.email for u in report.sent)}.",
                  "success")
        for user, why in report.skipped:
            flash(f"Skipped {user.email}: {why}", "warning")

    @expose("/invite/", methods=("GET", "POST"))
    def invite(self):
        form = RepInviteForm()
        if form.validate_on_submit():
            try:
                rep = portal_access.invite_rep(name=form.name.data, email=form.email.data,
                                               access=form.rep_access.data,
                                               companies=form.allocated_companies.data or [], by=current_actor())
            except portal_access.AccessError as exc:
                db.session.rollback()
                field = getattr(form, exc.field or "", None)
                if field is not None:
                    field.errors = [*field.errors, str(exc)]
                else:
                    flash(str(exc), "error")
            else:
                db.session.commit()
                flash(f"Invitation to {rep.name} ({rep.email}) queued.", "success")
                if rep.rep_access == RepAccess.allocated and not rep.allocated_companies:
                    flash(f"{rep.name} has no allocated customers yet and will see none until you allocate "
                          "some (here on the rep's record, or on a company's record).", "warning")
                return redirect(url_for(".index_view"))
        if form.errors:
            flash("The rep was not invited: correct the marked fields.", "error")
        return self.render("admin/rep_invite.html", form=form, return_url=url_for(".index_view"))


def views():
    return [SalesRepsAdmin()]
