"""In-app notifications: what one user is told, in the back office or in the portal (a count and a list).

A back-office notification has no company and links to an /admin page; it is written by
``portal.services.staff_notices.notify``. A portal notification names the customer it is about and
links to a portal page; it is written by ``portal.services.portal_notices.notify_company`` and shown
while the user acts for that company. Those two are the only writers: no feature writes rows itself.
Everything here acts for one user id: no function reads or changes another user's notifications.
Functions add to the session: callers commit.
"""
from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from sqlalchemy import Select, func, select, update
from sqlalchemy.sql.elements import ColumnElement

from portal.extensions import db
from portal.models import Notification, User
from portal.models.base import utcnow
from portal.services.redirects import safe_next

PAGE_SIZE = 30
#: where a notification may lead: the back office only
ADMIN_PREFIX = "/admin"
TITLE_LIMIT = 200
LINK_LIMIT = 500


def is_admin_path(path: str | None) -> bool:
    """A plain back-office path of this site (/admin or /admin/...), passing the one safe-next check."""
    if not path or len(path) > LINK_LIMIT or safe_next(path) is None:
        return False
    return path == ADMIN_PREFIX or path.startswith((ADMIN_PREFIX + "/", ADMIN_PREFIX + "?"))


def admin_path(link: str | None) -> str | None:
    """The back-office path of `link` (a path, or the full emailed link to this portal), else None.

    Of a full link only the path from /admin on and the query are kept (the portal may live under a
    prefix, https://example.com/portal/admin/...); the result must pass is_admin_path."""
    if not link:
        return None
    parts = urlsplit(link)
    path = parts.path
    if parts.scheme or parts.netloc:
        index = path.find(ADMIN_PREFIX + "/")
        path = path[index:] if index >= 0 else path
    local = path + (f"?{parts.query}" if parts.query else "")
    return local if is_admin_path(local) else None


def is_portal_path(path: str | None) -> bool:
    """A plain portal path of this site (relative, passing the one safe-next check, not the back office)."""
    if not path or len(path) > LINK_LIMIT or safe_next(path) is None:
        return False
    return not (path == ADMIN_PREFIX or path.startswith((ADMIN_PREFIX + "/", ADMIN_PREFIX + "?")))


def write(users: Iterable[User], kind: str, title: str, body: str = "", link: str | None = None, *,
          company_id: int | None = None) -> list[Notification]:
    """One unread notification for each distinct user. Without `company_id` (back office) the link is kept
    only as a back-office path; with it (portal) only as a relative portal path; anything else is dropped."""
    if company_id is None:
        path = admin_path(link)
    else:
        path = link if is_portal_path(link) else None
    seen, written = set(), []
    for user in users:
        if user.id in seen:
            continue
        seen.add(user.id)
        row = Notification(user_id=user.id, company_id=company_id, kind=kind, title=title[:TITLE_LIMIT],
                           body=body or "", link=path, created_dt=utcnow())
        db.session.add(row)
        written.append(row)
    return written


def _mine(user_id: int, company_id: int | None = None, kinds: Iterable[str] | None = None):
    """The user's notifications: the back office's (no company), or the portal's about one company and of
    `kinds` (those of the features switched on)."""
    clauses = [Notification.user_id == user_id,
               Notification.company_id.is_(None) if company_id is None else Notification.company_id == company_id]
    if kinds is not None:
        clauses.append(Notification.kind.in_(list(kinds)))
    return clauses


def unread_count(user_id: int, company_id: int | None = None, kinds: Iterable[str] | None = None) -> int:
    """How many of this user's notifications (back office, or portal for one company) are unread (one indexed
    query)."""
    return db.session.execute(select(func.count()).select_from(Notification).where(
        *_mine(user_id, company_id, kinds), Notification.read_dt.is_(None))).scalar_one()


def unread_clause(user_id, kind_clause: ColumnElement, company_column):
    """A correlated count of the user's unread portal notifications about `company_column`'s company, of the
    kinds `kind_clause` (a condition on ``Notification.kind``) allows, to fold into a query the page runs
    anyway (the memberships of the signed-in contact)."""
    return (select(func.count()).select_from(Notification)
            .where(Notification.user_id == user_id, Notification.company_id == company_column,
                   kind_clause, Notification.read_dt.is_(None))
            .scalar_subquery())


def newest_first(user_id: int, company_id: int, kinds: Iterable[str]) -> Select:
    """This user's portal notifications about one company, newest first (for portal.paging: no COUNT)."""
    return (select(Notification).where(*_mine(user_id, company_id, kinds))
            .order_by(Notification.created_dt.desc(), Notification.id.desc()))


def page_of(user_id: int, page: int = 1, size: int = PAGE_SIZE) -> tuple[list[Notification], int]:
    """This user's back-office notifications, newest first: one page of them and how many there are in all."""
    mine = (Notification.user_id == user_id) & Notification.company_id.is_(None)
    total = db.session.execute(select(func.count()).select_from(Notification).where(mine)).scalar_one()
    rows = db.session.execute(select(Notification).where(mine)
                              .order_by(Notification.created_dt.desc(), Notification.id.desc())
                              .offset((max(page, 1) - 1) * size).limit(size)).scalars()
    return list(rows), total


def open_mine(user_id: int, notification_id: int, company_id: int | None = None,
              kinds: Iterable[str] | None = None) -> Notification | None:
    """The user's own notification (back office, or portal about one company), now marked read; None when it
    is not theirs (or does not exist)."""
    row = db.session.execute(select(Notification).where(
        Notification.id == notification_id, *_mine(user_id, company_id, kinds))).scalar_one_or_none()
    if row is not None and row.read_dt is None:
        row.read_dt = utcnow()
    return row


def mark_all_read(user_id: int, company_id: int | None = None, kinds: Iterable[str] | None = None) -> int:
    """Mark every unread notification of this user (back office, or portal about one company) read; how many
    there were."""
    result = db.session.execute(update(Notification).where(
        *_mine(user_id, company_id, kinds), Notification.read_dt.is_(None)).values(read_dt=utcnow())
        .execution_options(synchronize_session=False))
    return result.rowcount or 0
