"""The Invitations screen: every customer contact with its access state; invite, export links,
resend, copy a link, revoke. The rules live in portal.services.portal_access."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from markupsafe import Markup, escape
from sqlalchemy import exists, func, or_

from portal.admin_views.base import ReadOnlyModelView, selected_ids
from portal.admin_views.companies import CUSTOMERS
from portal.admin_views.fields import badge
from portal.admin_views.filters import company_options
from portal.admin_views.invitation_buttons import invitation_buttons
from portal.admin_views.return_urls import return_target
from portal.extensions import db
from portal.models import Company, Membership, User, UserKind
from portal.permissions import current_actor
from portal.routing import parse_id
from portal.services import clock, csv_files, portal_access

_PAGE_DATA = "invitation_rows"


def _contacts(query):
    return query.filter(User.kind == UserKind.contact, User.email != "")


class MemberOfFilter(BaseSQLAFilter):
    """Contacts with a membership in the chosen company (no join: a contact shows once)."""

    def __init__(self, name: str = "Company"):
        super().__init__(User.id, name, options=company_options())

    def validate(self, value) -> bool:
        return parse_id(value) is not None

    def clean(self, value) -> int:
        return parse_id(value)

    def apply(self, query, value, alias=None):
        return query.filter(exists().where(Membership.user_id == User.id, Membership.company_id == value))

    def operation(self):
        return "is"


def _page_data() -> dict:
    return g.get(_PAGE_DATA) or {}


def _places(model) -> list:
    return _page_data().get("places", {}).get(model.id, [])


def _companies(view, context, model, name):
    parts = [escape(p.company) + ("" if p.portal_access else Markup(' <small class="text-muted">(no portal access)'
                                                                     '</small>')) for p in _places(model)]
    return Markup("<br>").join(parts) if parts else Markup('<span class="text-muted">— none —</span>')


def _roles(view, context, model, name):
    return Markup("<br>").join(escape(p.role) for p in _places(model))


def _last_invited(view, context, model, name):
    when = _page_data().get("last_invited", {}).get(model.id)
    return when.strftime("%Y-%m-%d %H:%M") if when else ""


def _state(view, context, model, name):
    return badge(model.invitation_state)


def _row_actions(view, context, model, name):
    return invitation_buttons(model)


class InvitationsAdmin(ReadOnlyModelView):
    """Who has been invited to the portal; invite, resend, hand over a link, revoke."""

    list_template = "admin/invitations_list.html"
    can_export = False
    can_view_details = False
    column_display_actions = False
    column_list = ("name", "email", "companies", "roles", "invitation_state", "last_invited", "row_actions")
    column_sortable_list = ("name", "email", "invitation_state")
    column_default_sort = [("name", False), ("id", False)]
    column_searchable_list = ("name", "email")
    column_filters = ("invitation_state", MemberOfFilter(), "portal_access")
    column_labels = {"companies": "Company", "roles": "Role", "invitation_state": "State",
                     "last_invited": "Last invited", "row_actions": "Actions", "portal_access": "Portal access"}
    column_formatters = {"companies": _companies, "roles": _roles, "invitation_state": _state,
                         "last_invited": _last_invited, "row_actions": _row_actions}

    def __init__(self, name: str = "Invitations", category: str = CUSTOMERS):
        super().__init__(User, name, category, slug="invitations")

    # --- the list: customer contacts only, searched by name, email or company ---------------------

    def get_query(self):
        return _contacts(super().get_query())

    def get_count_query(self):
        return _contacts(super().get_count_query())

    def get_one(self, id):
        user = super().get_one(id)
        return user if user is not None and user.is_contact else None

    def search_placeholder(self) -> str:
        return "Name, email or company"

    def _apply_search(self, query, count_query, joins, count_joins, search):
        for term in search.lower().split():
            def has(column, term=term):
                return func.lower(column).contains(term, autoescape=True)

            in_company = exists().where(Membership.user_id == User.id, Membership.company_id == Company.id,
                                        has(Company.name))
            match = or_(has(User.name), has(User.email), in_company)
            query = query.filter(match)
            if count_query is not None:
                count_query = count_query.filter(match)
        return query, count_query, joins, count_joins

    def get_list(self, *args, **kwargs):
        count, rows = super().get_list(*args, **kwargs)
        if kwargs.get("execute", True):
            ids = [u.id for u in rows]
            g.setdefault(_PAGE_DATA, {}).update(places=portal_access.places_of(ids),
                                                last_invited=portal_access.last_invited(ids))
        return count, rows

    def _selected(self, ids) -> list[User]:
        query = _contacts(db.session.query(User)).filter(User.id.in_(selected_ids(ids))).order_by(User.name, User.id)
        return query.all()

    # --- actions on the selected contacts ---------------------------------------------------------

    @action("invite", "Invite selected", "Send the invitation email to the selected contacts?")
    def action_invite(self, ids):
        users = self._selected(ids)
        if not users:
            flash("Select at least one contact.", "error")
            return
        report = portal_access.invite_many(users, current_actor())
        db.session.commit()
        if report.sent:
            # Queued, not sent: the page after this one reads from the outbox what became of them.
            flash(f"Invitation queued for {len(report.sent)} contact(s): "
                  f"{', '.join(u.email for u in report.sent)}.", "success")
        if report.skipped:
            flash(Markup(f"Skipped {len(report.skipped)} contact(s):<ul class=\"mb-0\">")
                  + Markup("").join(Markup("<li>{}: {}</li>").format(u.email, why) for u, why in report.skipped)
                  + Markup("</ul>"), "warning")
        return

    @action("revoke", "Revoke selected",
            "Revoke the portal access of the selected contacts? Their open sessions end at once and their "
            "links stop working.")
    def action_revoke(self, ids):
        users = self._selected(ids)
        if not users:
            flash("Select at least one contact.", "error")
            return
        report = portal_access.revoke_many(users, current_actor())
        db.session.commit()
        if report.sent:
            flash(f"Portal access revoked for {len(report.sent)} contact(s): "
                  f"{', '.join(u.email for u in report.sent)}. Open sessions end on their next request.", "success")
        if report.skipped:
            flash(Markup(f"Skipped {len(report.skipped)} contact(s):<ul class=\"mb-0\">")
                  + Markup("").join(Markup("<li>{}</li>").format(why) for _u, why in report.skipped)
                  + Markup("</ul>"), "warning")

    @action("export_links", "Generate invites and export CSV",
            "Make a new invitation link for each selected contact (no email is sent; earlier links stop working)?")
    def action_export_links(self, ids):
        users = self._selected(ids)
        try:
            rows = portal_access.export_links(users, current_actor())
        except portal_access.AccessError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return None
        places = portal_access.places_of([u.id for u, _ in rows])
        body = portal_access.links_csv(rows, places)
        db.session.commit()
        return csv_files.download(body, f"invitation-links-{clock.today().isoformat()}.csv")

    # --- one contact ------------------------------------------------------------------------------

    def _target(self) -> User | None:
        raw = request.form.get("user_id", "")
        user = self.get_one(raw) if parse_id(raw) else None
        if user is None:
            flash("That contact was not found; it may have been removed.", "error")
        return user

    def _back(self):
        return redirect(return_target() or url_for(".index_view"))

    def _run(self, change, success: str):
        user = self._target()
        if user is None:
            return self._back()
        try:
            change(user, current_actor())
        except portal_access.AccessError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(success.format(name=user.name, email=user.email), "success")
        return self._back()

    @expose("/resend/", methods=("POST",))
    def resend(self):
        return self._run(portal_access.resend,
                         "Invitation to {name} ({email}) queued. Any earlier link no longer works.")

    @expose("/revoke/", methods=("POST",))
    def revoke(self):
        return self._run(portal_access.revoke, "Portal access of {name} ({email}) revoked: open sessions end "
                                               "on their next request and outstanding links no longer work.")

    @expose("/copy-link/", methods=("POST",))
    def copy_link(self):
        user = self._target()
        if user is None:
            return self._back()
        try:
            link = portal_access.copy_link(user, current_actor())
        except portal_access.AccessError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return self._back()
        db.session.commit()
        response = self.render("admin/invitation_link.html", user=user, link=link,
                               return_url=return_target() or url_for(".index_view"))
        return response, 200, {"Cache-Control": "no-store"}


def views():
    return [InvitationsAdmin()]
