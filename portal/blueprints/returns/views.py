"""Return pages: the list, a new request (choose a delivered order, then lines), a return with its slip and
files. The rules are portal.services.returns'; these views parse, call and render."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.blueprints.returns import bp
from portal.extensions import db
from portal.i18n import N_
from portal.models import (
    OrderStatus,
    ReturnAttachment,
    ReturnLine,
    ReturnRequest,
    SalesOrder,
    SalesOrderLine,
)
from portal.pdf_download import pdf_download
from portal.permissions import can, current_actor, require_permission, scoped
from portal.routing import parse_id
from portal.services import return_handling, return_slips, returns, uploads
from portal.settings import is_enabled

NOTHING_SENT = N_("Nothing was sent.")
#: delivered orders offered on /returns/new (newest first)
OFFERED_ORDERS = 30


@bp.app_template_global()
def return_offer(order: SalesOrder) -> str | None:
    """The "Request a return" link for an order's page: only for a delivered order within the window, to
    someone who may request returns."""
    if order.status != OrderStatus.delivered or not is_enabled("returns") or not can("returns.request"):
        return None
    return url_for("returns.new", order=order.id) if returns.refusal(order) is None else None


@bp.app_template_global()
def return_reason_label(code: str | None) -> str:
    label = dict(returns.REASONS).get(code or "")
    return _(label) if label else ""


def _order_or_404(order_id: int | None) -> SalesOrder:
    if order_id is None:
        abort(404)
    return db.one_or_404(scoped(select(SalesOrder), SalesOrder).where(SalesOrder.id == order_id)
                         .options(selectinload(SalesOrder.lines).joinedload(SalesOrderLine.product)))


def _return_or_404(return_id: int) -> ReturnRequest:
    return db.one_or_404(
        scoped(select(ReturnRequest), ReturnRequest).where(ReturnRequest.id == return_id)
        .options(selectinload(ReturnRequest.lines).joinedload(ReturnLine.order_line),
                 selectinload(ReturnRequest.lines).joinedload(ReturnLine.product),
                 selectinload(ReturnRequest.attachments), joinedload(ReturnRequest.order),
                 joinedload(ReturnRequest.credit_note)))


@bp.route("/")
@require_permission("returns.view")
def index():
    query = (scoped(select(ReturnRequest), ReturnRequest).options(joinedload(ReturnRequest.order))
             .order_by(ReturnRequest.created_dt.desc(), ReturnRequest.id.desc()))
    page = db.paginate(query, per_page=25, error_out=False)
    return render_template("returns/index.html", page=page, may_request=can("returns.request"))


def _choose_order_page():
    recent = db.session.execute(
        scoped(select(SalesOrder), SalesOrder).where(SalesOrder.status == OrderStatus.delivered)
        .order_by(SalesOrder.placed_dt.desc(), SalesOrder.id.desc()).limit(OFFERED_ORDERS)).scalars()
    orders = [(order, returns.window_closes(order)) for order in recent if returns.refusal(order) is None]
    return render_template("returns/choose_order.html", orders=orders, window_days=returns.window_days())


def _form_page(order: SalesOrder, status: int = 200, values=None):
    return render_template("returns/new.html", order=order, lines=returns.returnable_lines(order),
                           reasons=returns.REASONS, closes=returns.window_closes(order), values=values or {},
                           max_files=returns.MAX_FILES), status


@bp.route("/new", methods=["GET"])
@require_permission("returns.request")
def new():
    if "order" not in request.args:
        return _choose_order_page()
    order = _order_or_404(parse_id(request.args.get("order")))
    problem = returns.refusal(order)
    if problem:
        flash(problem, "error")
        return redirect(url_for("orders.detail", order_id=order.id))
    return _form_page(order)


@bp.route("/new", methods=["POST"])
@require_permission("returns.request")
def create():
    order = _order_or_404(parse_id(request.form.get("order_id")))
    choices = [returns.LineChoice(r.line.id, request.form.get(f"qty-{r.line.id}", ""),
                                  request.form.get(f"reason-{r.line.id}", ""),
                                  request.form.get(f"why-{r.line.id}", ""))
               for r in returns.returnable_lines(order)]
    try:
        files = returns.check_files(request.files.getlist("files"))
        created = returns.request_return(order, choices, by=current_actor(), note=request.form.get("note", ""),
                                         files=files)
    except returns.ReturnError as exc:
        db.session.rollback()
        flash(f"{exc} {_(NOTHING_SENT)}", "error")
        order = _order_or_404(order.id)
        return _form_page(order, 400, request.form)
    db.session.commit()
    flash(_("Return %(number)s is requested. We will email you when we have looked at it.", number=created.number),
          "success")
    return redirect(url_for(".detail", return_id=created.id))


@bp.route("/<int:return_id>")
@require_permission("returns.view")
def detail(return_id: int):
    found = _return_or_404(return_id)
    note = found.credit_note
    note_link = (url_for("invoices.credit_note", credit_note_id=note.id)
                 if note is not None and is_enabled("invoices") and can("invoices.view") else None)
    return render_template("returns/detail.html", ret=found, note_link=note_link,
                           slip=found.status in return_handling.SLIP_STATUSES)


@bp.route("/<int:return_id>/slip.pdf")
@require_permission("returns.view")
def slip(return_id: int):
    """The printable return slip, once the return is approved."""
    found = _return_or_404(return_id)
    if found.status not in return_handling.SLIP_STATUSES:
        abort(404)
    return pdf_download(return_slips.slip_pdf(found), return_slips.pdf_filename(found))


@bp.route("/files/<int:return_file_id>")
@require_permission("returns.view")
def attachment(return_file_id: int):
    """A photo or document of one of the company's returns, always as a download."""
    found = db.session.execute(
        scoped(select(ReturnAttachment).join(ReturnRequest, ReturnRequest.id == ReturnAttachment.return_request_id),
               ReturnRequest).where(ReturnAttachment.id == return_file_id)).scalar_one_or_none()
    if found is None:
        abort(404)
    return uploads.download(found.stored_name, found.filename)
