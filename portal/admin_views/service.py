"""Customer service: support tickets and their messages."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from flask import request
from flask_admin.contrib.sqla.fields import QuerySelectField
from flask_login import current_user
from sqlalchemy import select

from portal.admin_views.base import StaffInline, StaffModelView
from portal.admin_views.fields import BLANK
from portal.admin_views.filters import IdEqualFilter, company_filter, staff_options
from portal.extensions import db
from portal.models import Ticket, TicketMessage, User, UserKind

SERVICE = "Service"


def staff_users():
    return db.session.execute(select(User).where(User.kind == UserKind.staff).order_by(User.name)).scalars()


class AssigneeField(QuerySelectField):
    """Ticket.assigned_to_id has no relationship; this field reads and writes the id."""

    def populate_obj(self, obj, name):
        obj.assigned_to_id = self.data.id if self.data is not None else None


class TicketMessageInline(StaffInline):
    def on_model_change(self, form, model, is_created):
        if is_created:  # a message added in the back office is a staff message
            model.author_id = current_user.id
            model.from_staff = True


def _assignee(view, context, model, name):
    user = db.session.get(User, model.assigned_to_id) if model.assigned_to_id else None
    return user.name if user else ""


class TicketAdmin(StaffModelView):
    readonly_columns = ("number",)
    column_list = ("number", "company", "subject", "status", "opened_by", "assignee", "created_dt")
    column_searchable_list = ("number", "subject", "regarding", "company.name")
    column_filters = (company_filter(Ticket.company_id), "status",
                      IdEqualFilter(Ticket.assigned_to_id, "Assigned to", options=staff_options), "created_dt")
    column_sortable_list = ("number", ("company", "company.name"), "subject", "status", "created_dt")
    column_formatters = {"assignee": _assignee}
    column_labels = {"assignee": "Assigned to", "regarding": "About (e.g. sales_order:12)"}
    form_columns = ("company", "subject", "status", "assignee", "regarding")
    form_extra_fields = {"assignee": AssigneeField("Assigned to", query_factory=staff_users,
                                                allow_blank=True, blank_text=BLANK)}
    inline_models = (
        TicketMessageInline(TicketMessage, form_columns=("id", "body", "is_internal"), form_label="Messages",
                            column_labels={"is_internal": "Internal note (never shown in the portal)"}),
    )

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        if request.method != "POST" and obj is not None and obj.assigned_to_id:
            form.assignee.data = db.session.get(User, obj.assigned_to_id)
        return form


def views():
    return [TicketAdmin(Ticket, "Tickets", SERVICE)]
