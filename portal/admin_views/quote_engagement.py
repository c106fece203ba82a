"""The "Quote engagement" screen: portal activity of all quotes, filtered to whom reps should call."""
from __future__ import annotations

from flask import abort, request
from flask_admin import BaseView, expose

from portal.admin_views.base import StaffAccess
from portal.admin_views.strict_args import list_number
from portal.services import quote_engagement


class QuoteEngagementView(StaffAccess, BaseView):
    """Read-only: parses the filter, asks the service, renders."""

    def __init__(self, name: str = "Quote engagement", category: str | None = None):
        super().__init__(name=name, category=category, endpoint="admin_quote_engagement", url="quote-engagement")

    @expose("/")
    def index(self):
        page = list_number(request.args.get("page", "1"))
        if page is None or page < 1:
            abort(404)
        chosen = request.args.get("filter") or None
        errors = []
        try:
            days = quote_engagement.parse_days(request.args.get("days"))
        except quote_engagement.EngagementError as exc:
            errors.append(f"{exc} Showing {quote_engagement.DEFAULT_DAYS} days.")
            days = quote_engagement.DEFAULT_DAYS
        if chosen is not None and chosen not in quote_engagement.FILTERS:
            errors.append("Choose one of the filters offered. Showing all quotes.")
            chosen = None
        rows, total = quote_engagement.quotes(chosen, days, page)
        pages = max(1, -(-total // quote_engagement.PAGE_SIZE))
        if page > pages:
            abort(404)
        return self.render("admin/quote_engagement.html", rows=rows, total=total, page=page, pages=pages,
                           chosen=chosen, days=days, errors=errors, filters=quote_engagement.FILTERS,
                           feed=quote_engagement.feed() if page == 1 else [])
