"""Return requests in the back office: the list and one screen to handle a return — approve with
instructions (the printable slip), reject with a reason, mark the goods received, create the credit note.

The steps and their order are portal.services.return_handling's; this screen only adapts the forms.
Returns are made by customers (or reps) in the portal, so there is no create or edit form here that
could skip the quantity and window rules.
"""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup, escape

from portal.admin_views.base import StaffModelView
from portal.admin_views.filters import company_filter
from portal.extensions import db
from portal.i18n import N_, in_language_of
from portal.models import ReturnAttachment, ReturnRequest
from portal.pdf_download import pdf_download
from portal.routing import parse_id
from portal.services import return_handling, return_slips, returns, uploads

FULFILMENT = "Fulfilment"
#: what the approve form suggests as instructions (emailed to the customer and printed on the slip)
DEFAULT_INSTRUCTIONS = N_("Pack the items securely, put the printed return slip in the parcel and send it to our "
                          "warehouse.")


def _number_link(view, context, model, name):
    return Markup('<a href="{}">{}</a>').format(url_for(".handle", id=model.id), escape(model.number or ""))


class ReturnRequestAdmin(StaffModelView):
    readonly_columns = ("number",)
    can_create = False
    can_edit = False
    can_delete = False
    column_list = ("number", "company", "order", "status", "reason", "created_dt")
    column_searchable_list = ("number", "reason", "company.name", "order.number")
    column_filters = (company_filter(ReturnRequest.company_id), "status", "created_dt")
    column_labels = {"staff_note": "Instructions or reason (to the customer)", "order": "Sales order",
                     "reason": "Customer's note"}
    column_formatters = {"number": _number_link}

    def _return(self) -> ReturnRequest:
        """The return of ?id= (404 when there is none)."""
        return_id = parse_id(request.args.get("id"))
        found = db.session.get(ReturnRequest, return_id) if return_id else None
        if found is None:
            abort(404)
        return found

    @expose("/handle/", methods=("GET",))
    def handle(self):
        found = self._return()
        with in_language_of(found.requested_by):  # the suggestion goes to the customer: in their language
            instructions = gettext(DEFAULT_INSTRUCTIONS)
        return self.render("admin/return_handle.html", request_=found, reasons=dict(returns.REASONS),
                           default_instructions=instructions,
                           next_steps=return_handling.NEXT[found.status],
                           slip=found.status in return_handling.SLIP_STATUSES)

    def _step(self, action, done: str):
        found = self._return()
        try:
            action(found)
        except returns.ReturnError as exc:
            db.session.rollback()
            flash(f"{exc} Nothing was changed.", "error")
        else:
            db.session.commit()
            flash(done, "success")
        return redirect(url_for(".handle", id=found.id))

    @expose("/handle/approve/", methods=("POST",))
    def approve(self):
        staff = current_user._get_current_object()
        return self._step(lambda r: return_handling.approve(r, request.form.get("instructions", ""), staff=staff),
                          "Approved: the customer is emailed the instructions and can print the return slip.")

    @expose("/handle/reject/", methods=("POST",))
    def reject(self):
        staff = current_user._get_current_object()
        return self._step(lambda r: return_handling.reject(r, request.form.get("reason", ""), staff=staff),
                          "Rejected: the customer is emailed the reason.")

    @expose("/handle/receive/", methods=("POST",))
    def receive(self):
        staff = current_user._get_current_object()

        def counted(found: ReturnRequest) -> dict[int, str]:
            return {line.id: request.form.get(f"received-{line.id}", "") for line in found.lines}

        return self._step(lambda r: return_handling.receive(r, counted(r), staff=staff),
                          "Marked received: the customer is emailed.")

    @expose("/handle/credit/", methods=("POST",))
    def credit(self):
        staff = current_user._get_current_object()
        return self._step(lambda r: return_handling.credit(r, staff=staff),
                          "Credit note created from the received lines: the customer is emailed.")

    @expose("/handle/slip/", methods=("GET",))
    def slip(self):
        found = self._return()
        if found.status not in return_handling.SLIP_STATUSES:
            abort(404)
        with in_language_of(found.requested_by):  # it goes in the customer's parcel: in their language
            body = return_slips.slip_pdf(found)
        return pdf_download(body, return_slips.pdf_filename(found))

    @expose("/handle/file/", methods=("GET",))
    def attachment(self):
        """A photo or document of any return, always as a download."""
        attachment_id = parse_id(request.args.get("id"))
        found = db.session.get(ReturnAttachment, attachment_id) if attachment_id else None
        if found is None:
            abort(404)
        return uploads.download(found.stored_name, found.filename)


def return_views():
    """Declared by the returns feature."""
    return [ReturnRequestAdmin(ReturnRequest, "Returns", FULFILMENT)]
