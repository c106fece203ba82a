"""The staff member's own notifications: the navbar count and the Notifications screen.

Every route acts on the signed-in user's notifications only: another user's notification is a
404, as if it did not exist. Opening one marks it read and goes to its back-office page.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from portal.admin_views.base import StaffAccess
from portal.admin_views.strict_args import list_number
from portal.extensions import db
from portal.forms import PortalForm
from portal.routing import parse_id
from portal.services import notifications

ENDPOINT = "admin_notifications"


def unread_count() -> int:
    """The signed-in staff member's unread notifications: one query per page, none for anyone else."""
    if not (current_user.is_authenticated and current_user.is_staff):
        return 0
    if "portal_unread_notifications" not in g:
        g.portal_unread_notifications = notifications.unread_count(current_user.id)
    return g.portal_unread_notifications


def _page() -> int:
    raw = request.args.get("page", "1")
    number = list_number(raw)
    if number is None or number < 1:
        abort(404)
    return number


class NotificationsView(StaffAccess, BaseView):
    """Reached from the navbar's count (not a menu entry)."""

    def __init__(self, name: str = "Notifications"):
        super().__init__(name=name, endpoint=ENDPOINT, url="notifications")

    def is_visible(self) -> bool:
        return False  # the navbar shows it on the right, with the unread count

    @expose("/")
    def index(self):
        page = _page()
        rows, total = notifications.page_of(current_user.id, page)
        pages = max(1, -(-total // notifications.PAGE_SIZE))
        if page > pages:
            abort(404)
        return self.render("admin/notifications.html", rows=rows, total=total, page=page, pages=pages)

    @expose("/open/")
    def open(self):
        """Marks the notification read and follows its link (a back-office path, checked again here)."""
        notification_id = parse_id(request.args.get("id"))
        row = notifications.open_mine(current_user.id, notification_id) if notification_id else None
        if row is None:
            abort(404)
        db.session.commit()
        if not notifications.is_admin_path(row.link):  # stored as a path; checked again all the same
            return redirect(url_for(".index"))
        return redirect(request.script_root + row.link)

    @expose("/mark-all-read/", methods=("POST",))
    def mark_all_read(self):
        if not PortalForm().validate_on_submit():
            abort(400, description="The form expired: reload the page and try again.")
        count = notifications.mark_all_read(current_user.id)
        db.session.commit()
        flash(f"{count} notification{'s' if count != 1 else ''} marked read." if count else "Nothing was unread.",
              "success")
        return redirect(url_for(".index"))


def views() -> list:
    return [NotificationsView()]


def init_app(app) -> None:
    app.jinja_env.globals.update(unread_notifications=unread_count)
