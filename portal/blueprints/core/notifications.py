"""The portal user's own notifications: the bell in the top bar and /notifications.

A portal notification is about one company (portal.services.portal_notices). A contact in two companies, or a
rep acting for several customers, sees the notifications of the company they act for now — the bell counts
them and the list shows them — and each company's when they switch to it, so every link leads to a page of
the company they act for. Only the kinds of the features switched on are shown. Every route acts on the
signed-in user's own notifications: another user's (or another company's) is a 404, as if it did not exist.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal import paging
from portal.blueprints.core import bp
from portal.extensions import db
from portal.forms import PortalForm
from portal.permissions import acting, signed_in, unread_by_company
from portal.routing import parse_id
from portal.services import notifications, portal_notices

PER_PAGE = 20


@bp.app_template_global("portal_unread_notifications")
def unread_here() -> int:
    """Unread notifications about the acting company: a contact's come with the memberships the page reads
    anyway (no extra query); a rep's take one indexed count per page."""
    if not current_user.is_authenticated or current_user.is_staff:
        return 0
    act = acting()
    if act.company is None or not act.company.is_customer:
        return 0
    if current_user.is_contact:
        return unread_by_company().get(act.company_id, 0)
    if "portal_rep_unread" not in g:
        g.portal_rep_unread = notifications.unread_count(current_user.id, act.company_id,
                                                         portal_notices.enabled_kinds())
    return g.portal_rep_unread


@bp.app_template_global("portal_unread_by_company")
def unread_elsewhere() -> dict[int, int]:
    """A contact's unread notifications per company (for the company switcher; no extra query)."""
    if not current_user.is_authenticated or not current_user.is_contact:
        return {}
    return unread_by_company()


@bp.app_template_global("notice_label")
def notice_label(kind: str) -> str:
    return _(portal_notices.label(kind))


def _company_id() -> int:
    """The company whose notifications are shown: the customer acted for (a rep without one picks a customer;
    suppliers are told nothing here)."""
    act = acting()
    if act.company is None and current_user.is_rep:
        abort(redirect(url_for("core.choose_customer", next=request.full_path.rstrip("?"))))
    if act.company is None or not act.company.is_customer:
        abort(404)
    return act.company_id


def _form_ok() -> None:
    if not PortalForm().validate_on_submit():
        abort(400, description=_("The form expired: reload the page and try again."))


@bp.route("/notifications")
@signed_in
def notifications_index():
    company_id = _company_id()
    rows = paging.page_of(notifications.newest_first(current_user.id, company_id, portal_notices.enabled_kinds()),
                          per_page=PER_PAGE)
    return render_template("core/notifications.html", rows=rows, form=PortalForm())


@bp.route("/notifications/open")
@signed_in
def notification_open():
    """Marks the notification read and goes to its page (a portal path, checked again here)."""
    company_id = _company_id()
    notification_id = parse_id(request.args.get("id"))
    row = (notifications.open_mine(current_user.id, notification_id, company_id, portal_notices.enabled_kinds())
           if notification_id else None)
    if row is None:
        abort(404)
    db.session.commit()
    if not notifications.is_portal_path(row.link):
        return redirect(url_for("core.notifications_index"))
    return redirect(request.script_root + row.link)


@bp.route("/notifications/read", methods=["POST"])
@signed_in
def notification_read():
    company_id = _company_id()
    _form_ok()
    notification_id = parse_id(request.form.get("id"))
    row = (notifications.open_mine(current_user.id, notification_id, company_id, portal_notices.enabled_kinds())
           if notification_id else None)
    if row is None:
        abort(404)
    db.session.commit()
    flash(_("Marked read."), "success")
    return redirect(url_for("core.notifications_index", page=paging.requested_page()))


@bp.route("/notifications/read-all", methods=["POST"])
@signed_in
def notifications_read_all():
    company_id = _company_id()
    _form_ok()
    count = notifications.mark_all_read(current_user.id, company_id, portal_notices.enabled_kinds())
    db.session.commit()
    flash(ngettext("%(num)d notification marked read.", "%(num)d notifications marked read.", count)
          if count else _("Nothing was unread."), "success")
    return redirect(url_for("core.notifications_index"))
