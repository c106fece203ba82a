"""Ticket pages: the list, a new ticket, the conversation with reply and close, attachment downloads."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.blueprints.tickets import bp, services
from portal.blueprints.tickets.forms import STATUS_FILTERS, CloseForm, NewTicketForm, ReplyForm
from portal.extensions import db
from portal.i18n import N_
from portal.models import Company, Ticket, TicketAttachment, TicketMessage, TicketStatus
from portal.permissions import acting, can, current_actor, require_permission, scoped
from portal.services import tickets, uploads

NOTHING_SENT = N_("Nothing was sent.")


def _visible():
    return tickets.visible(scoped(select(Ticket), Ticket), current_user, can("tickets.view_all"))


def _ticket_or_404(ticket_id: int) -> Ticket:
    return db.one_or_404(_visible().where(Ticket.id == ticket_id)
                         .options(selectinload(Ticket.messages).selectinload(TicketMessage.attachments),
                                  selectinload(Ticket.messages).joinedload(TicketMessage.author)))


@bp.route("/")
@require_permission("tickets.open")
def index():
    status = request.args.get("status", "")
    query = _visible()
    if status == "active":
        query = query.where(Ticket.status.in_(tickets.ACTIVE))
    elif status in TicketStatus.__members__:
        query = query.where(Ticket.status == TicketStatus(status))
    else:
        status = ""
    page = db.paginate(query.order_by(Ticket.created_dt.desc(), Ticket.id.desc()), per_page=25, error_out=False)
    return render_template("tickets/index.html", page=page, status=status, filters=STATUS_FILTERS,
                           sees_all=can("tickets.view_all"))


def _errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@bp.route("/new", methods=["GET", "POST"])
@require_permission("tickets.open")
def new():
    form = NewTicketForm()
    form.regarding.choices = services.regarding_choices()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash((_errors(form) or _("Please check the form.")) + " " + _(NOTHING_SENT), "error")
            return render_template("tickets/new.html", form=form), 400
        try:
            files = tickets.check_files(request.files.getlist(form.files.name))
            ticket = tickets.open_ticket(
                db.session.get(Company, acting().company_id), subject=form.subject.data,
                category=form.category.data, priority=form.priority.data, body=form.body.data,
                regarding=form.regarding.data, shared=form.shared.data, files=files, by=current_actor())
        except tickets.TicketError as exc:
            db.session.rollback()
            form.regarding.choices = services.regarding_choices()
            flash(f"{exc} {_(NOTHING_SENT)}", "error")
            return render_template("tickets/new.html", form=form), 400
        db.session.commit()
        flash(_("Ticket %(number)s is open. We will answer here and by email.", number=ticket.number), "success")
        return redirect(url_for(".detail", ticket_id=ticket.id))
    return render_template("tickets/new.html", form=form)


def _detail_page(ticket: Ticket, reply_form: ReplyForm | None = None, status: int = 200):
    return render_template("tickets/detail.html", ticket=ticket, messages=tickets.public_messages(ticket),
                           reply_form=reply_form or ReplyForm(formdata=None), close_form=CloseForm(),
                           regarding=services.regarding_link(ticket.regarding)), status


@bp.route("/<int:ticket_id>")
@require_permission("tickets.open")
def detail(ticket_id: int):
    return _detail_page(_ticket_or_404(ticket_id))


@bp.route("/<int:ticket_id>/reply", methods=["POST"])
@require_permission("tickets.open")
def reply(ticket_id: int):
    ticket = _ticket_or_404(ticket_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        flash((_errors(form) or _("Please try again.")) + " " + _(NOTHING_SENT), "error")
        return _detail_page(ticket, form, 400)
    reopens = ticket.status not in tickets.ACTIVE
    try:
        files = tickets.check_files(request.files.getlist(form.files.name))
        tickets.customer_reply(ticket, form.body.data, files=files, by=current_actor())
    except tickets.TicketError as exc:
        db.session.rollback()
        flash(f"{exc} {_(NOTHING_SENT)}", "error")
        return _detail_page(_ticket_or_404(ticket_id), form, 400)
    db.session.commit()
    flash(_("Your reply is sent. The ticket is open again.") if reopens else _("Your reply is sent."), "success")
    return redirect(url_for(".detail", ticket_id=ticket.id))


@bp.route("/<int:ticket_id>/close", methods=["POST"])
@require_permission("tickets.open")
def close(ticket_id: int):
    ticket = _ticket_or_404(ticket_id)
    if not CloseForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
    else:
        try:
            tickets.close(ticket, by=current_actor())
        except tickets.TicketError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("The ticket is closed. Reply on it if you need us again."), "success")
    return redirect(url_for(".detail", ticket_id=ticket.id))


@bp.route("/files/<int:attachment_id>")
@require_permission("tickets.open")
def attachment(attachment_id: int):
    """An attachment of a ticket the user may see, on a public message, always as a download."""
    found = db.session.execute(
        _visible().join(TicketAttachment, TicketAttachment.ticket_id == Ticket.id)
        .join(TicketMessage, TicketMessage.id == TicketAttachment.message_id)
        .where(TicketAttachment.id == attachment_id, TicketMessage.is_internal.is_(False))
        .with_only_columns(TicketAttachment)
    ).scalar_one_or_none()
    if found is None:
        abort(404)
    return uploads.download(found.stored_name, found.filename)
