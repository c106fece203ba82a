"""Customer service: support tickets and their messages."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.fields import QuerySelectField
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select

from portal.admin_views.base import StaffModelView
from portal.admin_views.fields import BLANK
from portal.admin_views.filters import IdEqualFilter, company_filter, staff_options
from portal.extensions import db
from portal.models import Ticket, TicketAttachment, TicketStatus, User, UserKind
from portal.routing import parse_id
from portal.services import tickets, uploads

SERVICE = "Service"


def staff_users():
    return db.session.execute(select(User).where(User.kind == UserKind.staff).order_by(User.name)).scalars()


class AssigneeField(QuerySelectField):
    """Ticket.assigned_to_id has no relationship; this field reads and writes the id."""

    def populate_obj(self, obj, name):
        obj.assigned_to_id = self.data.id if self.data is not None else None


def _assignee(view, context, model, name):
    user = db.session.get(User, model.assigned_to_id) if model.assigned_to_id else None
    return user.name if user else ""


def _number_link(view, context, model, name):
    return Markup('<a href="{}">{}</a>').format(url_for(".thread", id=model.id), escape(model.number or ""))


class TicketAdmin(StaffModelView):
    """The ticket list and record, and the thread screen where staff reply (emailed to the ticket's
    followers), write internal notes (never emailed, never in the portal), assign and set the status."""

    readonly_columns = ("number",)
    column_list = ("number", "company", "subject", "status", "opened_by", "assignee", "created_dt")
    column_searchable_list = ("number", "subject", "regarding", "company.name")
    column_filters = (company_filter(Ticket.company_id), "status",
                      IdEqualFilter(Ticket.assigned_to_id, "Assigned to", options=staff_options), "created_dt")
    column_sortable_list = ("number", ("company", "company.name"), "subject", "status", "created_dt")
    column_formatters = {"assignee": _assignee, "number": _number_link}
    column_labels = {"assignee": "Assigned to", "regarding": "About (e.g. sales_order:12)"}
    form_columns = ("company", "subject", "status", "assignee", "regarding")
    form_extra_fields = {"assignee": AssigneeField("Assigned to", query_factory=staff_users,
                                                allow_blank=True, blank_text=BLANK)}
    # Messages are written on the thread screen (replies are emailed there), not as an inline list here.
    edit_template = "admin/ticket_edit.html"

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        if request.method != "POST" and obj is not None and obj.assigned_to_id:
            form.assignee.data = db.session.get(User, obj.assigned_to_id)
        return form


    def _ticket(self) -> Ticket:
        """The ticket of ?id= (404 when there is none)."""
        ticket_id = parse_id(request.args.get("id"))
        ticket = db.session.get(Ticket, ticket_id) if ticket_id else None
        if ticket is None:
            abort(404)
        return ticket

    @expose("/thread/", methods=("GET",))
    def thread(self):
        ticket = self._ticket()
        return self.render("admin/ticket_thread.html", ticket=ticket, statuses=list(TicketStatus),
                           staff=list(staff_users()), assignee=ticket.assigned_to_id, files_hint=tickets.MAX_FILES)

    @expose("/thread/message/", methods=("POST",))
    def message(self):
        """A public reply (emailed) or an internal note, by the kind chosen on the form."""
        ticket = self._ticket()
        internal = request.form.get("kind") == "note"
        raw_status = request.form.get("status", "")
        status = TicketStatus(raw_status) if raw_status in TicketStatus.__members__ else None
        staff = current_user._get_current_object()
        try:
            if internal:
                tickets.internal_note(ticket, request.form.get("body", ""), staff=staff)
            else:
                files = tickets.check_files(request.files.getlist("files"))
                tickets.staff_reply(ticket, request.form.get("body", ""), staff=staff, status=status, files=files)
        except tickets.TicketError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Internal note saved (not sent to the customer)." if internal else
                  "Reply sent: the customer is emailed.", "success")
        return redirect(url_for(".thread", id=ticket.id))

    @expose("/thread/manage/", methods=("POST",))
    def manage(self):
        """Assign the ticket to a staff member (or nobody) and set its status."""
        ticket = self._ticket()
        raw_status = request.form.get("status", "")
        raw_assignee = request.form.get("assignee", "")
        assignee = db.session.get(User, parse_id(raw_assignee)) if parse_id(raw_assignee) else None
        if raw_status not in TicketStatus.__members__ or (raw_assignee and (assignee is None or not assignee.is_staff)):
            flash("Choose a status and a staff member from the lists. Nothing was changed.", "error")
            return redirect(url_for(".thread", id=ticket.id))
        ticket.status = TicketStatus(raw_status)
        ticket.assigned_to_id = assignee.id if assignee else None
        db.session.commit()
        flash("Ticket updated.", "success")
        return redirect(url_for(".thread", id=ticket.id))

    @expose("/thread/file/", methods=("GET",))
    def attachment(self):
        """An attachment of ?id= (any ticket's, internal notes' too), always as a download."""
        attachment_id = parse_id(request.args.get("id"))
        found = db.session.get(TicketAttachment, attachment_id) if attachment_id else None
        if found is None:
            abort(404)
        return uploads.download(found.stored_name, found.filename)


def ticket_views():
    """Declared by the tickets feature."""
    return [TicketAdmin(Ticket, "Tickets", SERVICE)]
