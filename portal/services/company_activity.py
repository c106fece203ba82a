"""The Customer activity page: which customers are engaged and which are dormant, and their portal events.

Each company's latest activity, last sign-in and last order are read from its CompanyActivity row (kept by
portal.services.portal_events), never from its events; only the "events in the last 30 days" figure counts
events, for the page's companies only, from the (company_id, created_dt, kind) index alone. The events list
reads one page (one row more than it shows, to know whether there is a next one) through the same index,
or through created_dt for all companies; it never counts the whole history.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import Company, CompanyActivity, PortalEvent, User
from portal.services import clock, portal_events

PAGE_SIZE = 50
#: the window of the "events in the last N days" figure
RECENT_DAYS = 30
DEFAULT_DAYS, MAX_DAYS = 30, 3650
#: show key -> label (the page's choices, in this order)
SHOWS = {"all": _l("All customers"), "engaged": _l("Engaged: active in the last N days"),
         "dormant": _l("Dormant: no activity in the last N days")}
#: sort key -> label
SORTS = {"recent": _l("Latest activity first"), "dormant": _l("Longest without activity first")}


class ActivityError(ValueError):
    """A filter the page cannot apply; the message says why."""


@dataclass(frozen=True)
class CompanyRow:
    company_id: int
    name: str
    code: str
    last_event_dt: datetime | None
    last_event_kind: str | None
    last_sign_in_dt: datetime | None
    last_order_dt: datetime | None
    recent_events: int

    @property
    def last_event_label(self) -> str:
        return label_of(self.last_event_kind) if self.last_event_kind else ""


@dataclass(frozen=True)
class EventRow:
    event_id: int
    when: datetime
    kind: str
    what: str
    company_id: int | None
    company: str
    who: str
    subject: str
    #: the back-office endpoint of the subject (called with id=subject_id), if it has one
    page: str | None
    subject_id: int | None


def label_of(kind: str) -> str:
    spec = portal_events.kinds().get(kind)
    return str(spec.label) if spec is not None else kind


def kind_choices() -> list[tuple[str, str]]:
    """(kind, label) of every declared kind, by label."""
    return sorted(((k, str(v.label)) for k, v in portal_events.kinds().items()), key=lambda kv: kv[1].lower())


def _staff_kinds() -> list[str]:
    return [k for k, v in portal_events.kinds().items() if not v.customer]


# --- parsing the page's filters ---------------------------------------------------------------------

def parse_days(raw: str | None) -> int:
    """N of engaged / dormant: a whole number of days from 1 to MAX_DAYS (default DEFAULT_DAYS)."""
    raw = (raw or "").strip()
    if not raw:
        return DEFAULT_DAYS
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 4 or not 1 <= int(raw) <= MAX_DAYS:
        raise ActivityError(_l("Days must be a whole number from 1 to %(most)s.", most=MAX_DAYS))
    return int(raw)


def parse_date(raw: str | None) -> date | None:
    """A YYYY-MM-DD date of the events filter (empty: none)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else _refuse_date()
    except ValueError:
        return _refuse_date()


def _refuse_date():
    raise ActivityError(_l("Enter dates as YYYY-MM-DD."))


# --- companies ----------------------------------------------------------------------------------------

def companies(show: str = "all", days: int = DEFAULT_DAYS, sort: str = "recent", page: int = 1,
              size: int = PAGE_SIZE) -> tuple[list[CompanyRow], int]:
    """One page of the customer companies with their kept activity, and how many match in all."""
    if show not in SHOWS or sort not in SORTS:
        raise ActivityError(_l("Choose one of the filters offered."))
    last = CompanyActivity.last_event_dt
    query = (select(Company.id, Company.name, Company.code, last, CompanyActivity.last_event_kind,
                    CompanyActivity.last_sign_in_dt, CompanyActivity.last_order_dt)
             .outerjoin(CompanyActivity, CompanyActivity.company_id == Company.id)
             .where(Company.is_customer.is_(True)))
    since = clock.now() - timedelta(days=days)
    if show == "engaged":
        query = query.where(last >= since)
    elif show == "dormant":
        query = query.where(or_(last.is_(None), last < since))
    never = case((last.is_(None), 0), else_=1)
    if sort == "dormant":  # never active first, then the longest ago
        query = query.order_by(never, last, Company.name, Company.id)
    else:
        query = query.order_by(never.desc(), last.desc(), Company.name, Company.id)
    total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    rows = db.session.execute(query.offset((max(page, 1) - 1) * size).limit(size)).all()
    counts = recent_counts([r[0] for r in rows])
    return [CompanyRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], counts.get(r[0], 0)) for r in rows], total


def recent_counts_query(company_ids: list[int], days: int = RECENT_DAYS) -> Select:
    """Per company, the customer's own events of the last `days` days: a range of the (company_id,
    created_dt, kind) index per company, read from the index alone (what staff did is left out by kind)."""
    since = clock.now() - timedelta(days=days)
    return (select(PortalEvent.company_id, func.count())
            .where(PortalEvent.company_id.in_(company_ids), PortalEvent.created_dt >= since,
                   PortalEvent.kind.not_in(_staff_kinds()))
            .group_by(PortalEvent.company_id))


def recent_counts(company_ids: list[int], days: int = RECENT_DAYS) -> dict[int, int]:
    """The customer's own events of the last `days` days, per company (one query)."""
    if not company_ids:
        return {}
    return dict(db.session.execute(recent_counts_query(company_ids, days)).all())


# --- events -----------------------------------------------------------------------------------------

def events(company_id: int | None = None, kind: str | None = None, since: date | None = None,
           until: date | None = None, page: int = 1, size: int = PAGE_SIZE) -> tuple[list[EventRow], bool]:
    """One page of portal events, newest first, and whether there is a next page."""
    query = events_query(company_id, kind, since, until)
    rows = db.session.execute(query.offset((max(page, 1) - 1) * size).limit(size + 1)).all()
    kinds, numbers = portal_events.kinds(), _numbers([row[0] for row in rows[:size]])
    found = []
    for event, company, user_name, user_email, rep_name in rows[:size]:
        spec = kinds.get(event.kind)
        found.append(EventRow(event.id, event.created_dt, event.kind, str(spec.label) if spec else event.kind,
                              event.company_id, company or "", _who(event, user_name, user_email, rep_name),
                              _subject(event, numbers), spec.page if spec and event.subject_id else None,
                              event.subject_id))
    return found, len(rows) > size


def events_query(company_id: int | None = None, kind: str | None = None, since: date | None = None,
                 until: date | None = None) -> Select:
    """Events with their company, person and rep, newest first: served by the (company_id, created_dt,
    kind) index for one company, by created_dt for all."""
    user, rep = aliased(User), aliased(User)
    query = (select(PortalEvent, Company.name, user.name, user.email, rep.name)
             .outerjoin(Company, Company.id == PortalEvent.company_id)
             .outerjoin(user, user.id == PortalEvent.user_id)
             .outerjoin(rep, rep.id == PortalEvent.acting_rep_id))
    if company_id is not None:
        query = query.where(PortalEvent.company_id == company_id)
    if kind:
        query = query.where(PortalEvent.kind == kind)
    if since is not None:
        query = query.where(PortalEvent.created_dt >= datetime.combine(since, time.min, tzinfo=UTC))
    if until is not None:
        query = query.where(PortalEvent.created_dt < datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC))
    return query.order_by(PortalEvent.created_dt.desc(), PortalEvent.id.desc())


def _numbers(found: list[PortalEvent]) -> dict[tuple[str, int], str]:
    """The document numbers of the events' subjects whose type is a numbered table (one query per type)."""
    wanted: dict[str, set[int]] = {}
    for event in found:
        if event.subject_type and event.subject_id and not (event.data or {}).get("number"):
            wanted.setdefault(event.subject_type, set()).add(event.subject_id)
    mappers = {m.local_table.name: m.class_ for m in db.Model.registry.mappers}
    numbers = {}
    for subject_type, ids in wanted.items():
        model = mappers.get(subject_type)
        if model is None or not hasattr(model, "number"):
            continue
        for ident, number in db.session.execute(select(model.id, model.number).where(model.id.in_(ids))):
            if number:
                numbers[(subject_type, ident)] = number
    return numbers


def _who(event: PortalEvent, name: str | None, email: str | None, rep_name: str | None) -> str:
    data: dict[str, Any] = event.data or {}
    if name:
        who = f"{name} <{email}>" if email else name
    elif data.get("recipient_name") or data.get("recipient_email"):
        who = " ".join(filter(None, (data.get("recipient_name"), f"<{data['recipient_email']}>"
                                     if data.get("recipient_email") else "")))
    else:
        who = ""
    if rep_name and event.acting_rep_id == event.user_id:
        return str(_l("%(name)s (sales rep)", name=who or rep_name))
    if rep_name:
        return str(_l("%(name)s, with sales rep %(rep)s", name=who, rep=rep_name))
    return who


def _subject(event: PortalEvent, numbers: dict[tuple[str, int], str]) -> str:
    number = (event.data or {}).get("number") or numbers.get((event.subject_type or "", event.subject_id or 0))
    if number:
        return str(number)
    if event.subject_type and event.subject_id:
        return f"{event.subject_type.replace('_', ' ')} #{event.subject_id}"
    return ""
