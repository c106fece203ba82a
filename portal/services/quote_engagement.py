"""The Engagement page: portal activity of every quote, and the filters that tell reps whom to call.

Everything is aggregated in SQL (GROUP BY over share links and engagement events), so one page of the
list costs the same few queries whatever the number of quotes or events. "Shared" is the latest share
link sent for the quote; the filters concern quotes still waiting for the client's answer
(quote_answers.OPEN: sent, or changes requested).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import AccessToken, Company, PortalEvent, Quote, QuoteStatus, TokenPurpose, User
from portal.services import clock
from portal.services.quote_answers import OPEN
from portal.services.quote_shares import EVENT_LABELS, PDF_DOWNLOADED, VIEWED

PAGE_SIZE = 50
FEED_SIZE = 20
#: "several views"
MANY_VIEWS = 3
DEFAULT_DAYS, MAX_DAYS = 3, 365
#: filter key -> label (the page's choices, in this order)
FILTERS = {
    "viewed_not_accepted": "Viewed but not accepted",
    "not_viewed": "Not viewed N days after sharing",
    "hot": f"Several views (≥{MANY_VIEWS}) and a PDF download",
}


class EngagementError(ValueError):
    """A filter the page cannot apply; the message says why."""


@dataclass
class QuoteActivity:
    quote_id: int
    number: str
    company: str
    status: QuoteStatus
    contact: str | None
    shared_dt: datetime | None
    views: int
    downloads: int
    last_activity_dt: datetime | None
    recipients: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FeedItem:
    when: datetime
    what: str
    who: str
    quote_id: int
    number: str
    company: str


def parse_days(raw: str | None) -> int:
    """N of "not viewed N days after sharing": a whole number from 1 to MAX_DAYS (default DEFAULT_DAYS)."""
    if raw is None or raw.strip() == "":
        return DEFAULT_DAYS
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 3 or not 1 <= int(raw) <= MAX_DAYS:
        raise EngagementError(f"Days must be a whole number from 1 to {MAX_DAYS}.")
    return int(raw)


def _shares():
    return (select(AccessToken.quote_id.label("quote_id"), func.max(AccessToken.created_dt).label("last_shared"))
            .where(AccessToken.purpose == TokenPurpose.quote_share, AccessToken.quote_id.is_not(None))
            .group_by(AccessToken.quote_id).subquery("shares"))


def _activity():
    is_view = PortalEvent.kind == VIEWED
    return (select(PortalEvent.subject_id.label("quote_id"),
                   func.count(case((is_view, 1))).label("views"),
                   func.count(case((PortalEvent.kind == PDF_DOWNLOADED, 1))).label("downloads"),
                   func.max(case((is_view, PortalEvent.created_dt))).label("last_view"),
                   func.max(PortalEvent.created_dt).label("last_activity"))
            .where(PortalEvent.subject_type == "quote", PortalEvent.subject_id.is_not(None))
            .group_by(PortalEvent.subject_id).subquery("activity"))


def _listing(filter_key: str | None, days: int):
    shares, activity = _shares(), _activity()
    contact = aliased(User)
    views = func.coalesce(activity.c.views, 0)
    downloads = func.coalesce(activity.c.downloads, 0)
    last = func.coalesce(activity.c.last_activity, shares.c.last_shared)
    query = (select(Quote.id, Quote.number, Company.name, Quote.status, contact.name, shares.c.last_shared,
                    views.label("views"), downloads.label("downloads"), activity.c.last_activity)
             .join(Company, Company.id == Quote.company_id)
             .outerjoin(contact, contact.id == Quote.contact_id)
             .outerjoin(shares, shares.c.quote_id == Quote.id)
             .outerjoin(activity, activity.c.quote_id == Quote.id)
             .where(or_(shares.c.quote_id.is_not(None), activity.c.quote_id.is_not(None))))
    if filter_key is not None:
        query = query.where(Quote.status.in_(OPEN))
    if filter_key == "viewed_not_accepted":
        query = query.where(views > 0)
    elif filter_key == "not_viewed":
        since = clock.now() - timedelta(days=days)
        query = query.where(shares.c.last_shared <= since,
                            or_(activity.c.last_view.is_(None), activity.c.last_view < shares.c.last_shared))
    elif filter_key == "hot":
        query = query.where(views >= MANY_VIEWS, downloads > 0)
    elif filter_key is not None:
        raise EngagementError("Choose one of the filters offered.")
    return query, last


def quotes(filter_key: str | None = None, days: int = DEFAULT_DAYS, page: int = 1,
           size: int | None = None) -> tuple[list[QuoteActivity], int]:
    """One page of the quotes shared or opened in the portal, latest activity first, and how many
    match in all (three queries, whatever the page holds)."""
    query, last = _listing(filter_key, days)
    size = size or PAGE_SIZE
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(query.order_by(last.desc(), Quote.id.desc())
                              .offset((max(page, 1) - 1) * size).limit(size)).all()
    found = [QuoteActivity(quote_id=r[0], number=r[1] or f"Quote #{r[0]}", company=r[2], status=r[3], contact=r[4],
                           shared_dt=r[5], views=r[6], downloads=r[7], last_activity_dt=r[8] or r[5]) for r in rows]
    _add_recipients(found)
    return found, total


def _add_recipients(found: list[QuoteActivity]) -> None:
    """Whom each quote was shared with (one query for the page; the link's JSON is read here)."""
    by_id = {row.quote_id: row for row in found}
    if not by_id:
        return
    links = db.session.execute(
        select(AccessToken.quote_id, AccessToken.data)
        .where(AccessToken.quote_id.in_(by_id), AccessToken.purpose == TokenPurpose.quote_share)
        .order_by(AccessToken.created_dt, AccessToken.id)).all()
    for quote_id, data in links:
        data = data or {}
        label = " ".join(filter(None, (data.get("recipient_name"),
                                       f"<{data['recipient_email']}>" if data.get("recipient_email") else "")))
        if label and label not in by_id[quote_id].recipients:
            by_id[quote_id].recipients.append(label)


def feed(limit: int = FEED_SIZE) -> list[FeedItem]:
    """The latest engagement events across quotes (one query)."""
    rows = db.session.execute(
        select(PortalEvent.created_dt, PortalEvent.kind, PortalEvent.data, Quote.id, Quote.number, Company.name)
        .join(Quote, Quote.id == PortalEvent.subject_id).join(Company, Company.id == Quote.company_id)
        .where(PortalEvent.subject_type == "quote")
        .order_by(PortalEvent.created_dt.desc(), PortalEvent.id.desc()).limit(limit)).all()
    return [FeedItem(when, EVENT_LABELS.get(kind, kind), " ".join(filter(None, (
        (data or {}).get("recipient_name"),
        f"<{data['recipient_email']}>" if (data or {}).get("recipient_email") else ""))),
        quote_id, number or f"Quote #{quote_id}", company) for when, kind, data, quote_id, number, company in rows]
