"""What the back office tells staff about email.

- After an action that queued email (invite, resend, ...), the next page says what became of it,
  read from the outbox then: sent, waiting for the delivery worker, not delivered yet (with the
  addresses and errors), failed. A request sends only a few itself; the worker sends the rest.
- While any email has failed (still undelivered when its retry window closed), every back-office
  page shows an alert linking to the failed emails, with "Resend all failed".
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, session, url_for
from flask_admin.contrib.sqla.filters import EnumFilterInList

from portal.admin_views.filters import filtered_url
from portal.models import OutboxEmail, OutboxStatus
from portal.services import outbox

_SESSION_KEY = "outbox_report"
#: a report covers at most this many id ranges (the session is a cookie)
_MAX_RANGES = 40


def in_back_office() -> bool:
    return request.blueprint in current_app.extensions.get("portal_admin_blueprints", ())


def remember(ids: list[int]) -> None:
    """Report on these emails on the next back-office page (added to a report not shown yet)."""
    known = _expand(session.get(_SESSION_KEY, []))
    session[_SESSION_KEY] = _ranges(sorted(set(known) | set(ids)))[-_MAX_RANGES:]


def _ranges(ids: list[int]) -> list[list[int]]:
    result: list[list[int]] = []
    for i in ids:
        if result and i == result[-1][1] + 1:
            result[-1][1] = i
        else:
            result.append([i, i])
    return result


def _expand(ranges) -> list[int]:
    return [i for first, last in ranges for i in range(int(first), int(last) + 1)]


def report() -> outbox.Progress | None:
    """Where the emails of the last action stand now (once: the report is then forgotten)."""
    ranges = session.pop(_SESSION_KEY, None)
    if not ranges:
        return None
    found = outbox.progress(_expand(ranges))
    return found if found.total else None


@dataclass(frozen=True)
class FailedAlert:
    count: int
    list_url: str
    resend_url: str


def _outbox_view():
    return next(v for v in current_app.extensions["portal_admin"]._views if getattr(v, "model", None) is OutboxEmail)


def failed_alert() -> FailedAlert | None:
    """The alert of every back-office page while any email has failed."""
    count = outbox.failed_count()
    if not count:
        return None
    view = _outbox_view()
    return FailedAlert(count, filtered_url(view, "status", EnumFilterInList, [OutboxStatus.failed]),
                       url_for(f"{view.endpoint}.resend_failed"))


def outbox_url(view=None) -> str:
    view = view or _outbox_view()
    return url_for(f"{view.endpoint}.index_view")


def init_app(app) -> None:
    app.jinja_env.globals.update(outbox_report=report, failed_email_alert=failed_alert, outbox_url=outbox_url,
                                 retry_hours=lambda: app.config.get("OUTBOX_RETRY_HOURS", 72))
