"""The "Customer activity" screen: engaged and dormant customers, and the portal events behind them."""
from __future__ import annotations

from flask import abort, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from portal.admin_views.base import StaffAccess
from portal.admin_views.filters import company_options
from portal.admin_views.strict_args import list_number
from portal.routing import parse_id
from portal.services import company_activity as activity

CUSTOMERS = "Customers"
ENDPOINT = "admin_customer_activity"


def _page() -> int:
    number = list_number(request.args.get("page", "1"))
    if number is None or number < 1:
        abort(404)
    return number


def subject_url(row: activity.EventRow) -> str | None:
    """The subject's back-office page, when its kind names one (and the screen is there)."""
    if not row.page or row.subject_id is None:
        return None
    try:
        return url_for(row.page, id=row.subject_id)
    except BuildError:
        return None


class CompanyActivityView(StaffAccess, BaseView):
    """Read-only: parses the filters, asks the service, renders."""

    def __init__(self, name: str = "Customer activity", category: str | None = CUSTOMERS):
        super().__init__(name=name, category=category, endpoint=ENDPOINT, url="customer-activity")

    @expose("/")
    def index(self):
        page, errors = _page(), []
        show = request.args.get("show") or "all"
        sort = request.args.get("sort") or "recent"
        if show not in activity.SHOWS or sort not in activity.SORTS:
            errors.append(_("Choose one of the filters offered. Showing all customers, latest activity first."))
            show, sort = "all", "recent"
        try:
            days = activity.parse_days(request.args.get("days"))
        except activity.ActivityError as exc:
            errors.append(str(exc))
            days = activity.DEFAULT_DAYS
        rows, total = activity.companies(show, days, sort, page)
        pages = max(1, -(-total // activity.PAGE_SIZE))
        if page > pages:
            abort(404)
        return self.render("admin/company_activity.html", rows=rows, total=total, page=page, pages=pages,
                           show=show, sort=sort, days=days, errors=errors,
                           shows=activity.SHOWS, sorts=activity.SORTS, recent_days=activity.RECENT_DAYS)

    @expose("/events/")
    def events(self):
        page, errors = _page(), []
        raw_company = request.args.get("company") or ""
        company_id = parse_id(raw_company) if raw_company else None
        if raw_company and company_id is None:
            errors.append(_("Choose one of the companies offered. Showing every company."))
        kind = request.args.get("kind") or None
        kinds = activity.kind_choices()
        if kind is not None and kind not in dict(kinds):
            errors.append(_("Choose one of the kinds offered. Showing every kind."))
            kind = None
        dates = {}
        for arg in ("since", "until"):
            try:
                dates[arg] = activity.parse_date(request.args.get(arg))
            except activity.ActivityError as exc:
                errors.append(str(exc))
                dates[arg] = None
        rows, has_next = activity.events(company_id, kind, dates["since"], dates["until"], page)
        return self.render("admin/company_activity_events.html", rows=rows, page=page, has_next=has_next,
                           company_id=company_id, kind=kind, since=dates["since"], until=dates["until"],
                           kinds=kinds, companies=company_options(suppliers=False)(), errors=errors,
                           subject_url=subject_url)


def views() -> list:
    return [CompanyActivityView()]
