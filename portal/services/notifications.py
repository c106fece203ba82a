"""In-app notifications: what one user is told in the back office (a navbar count and a list).

Rows are written by ``portal.services.staff_notices.notify`` — the one entry point every feature
uses — never directly by a feature. Everything here acts for one user id: no function reads or
changes another user's notifications. Functions add to the session: callers commit.
"""
from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from sqlalchemy import func, select, update

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


def write(users: Iterable[User], kind: str, title: str, body: str = "", link: str | None = None) -> list[Notification]:
    """One unread notification for each distinct user; the link is kept only as a back-office path."""
    path, seen, written = admin_path(link), set(), []
    for user in users:
        if user.id in seen:
            continue
        seen.add(user.id)
        row = Notification(user_id=user.id, kind=kind, title=title[:TITLE_LIMIT], body=body or "", link=path,
                           created_dt=utcnow())
        db.session.add(row)
        written.append(row)
    return written


def unread_count(user_id: int) -> int:
    """How many of this user's notifications are unread (one indexed query)."""
    return db.session.execute(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_dt.is_(None))).scalar_one()


def page_of(user_id: int, page: int = 1, size: int = PAGE_SIZE) -> tuple[list[Notification], int]:
    """This user's notifications, newest first: one page of them and how many there are in all."""
    mine = Notification.user_id == user_id
    total = db.session.execute(select(func.count()).select_from(Notification).where(mine)).scalar_one()
    rows = db.session.execute(select(Notification).where(mine)
                              .order_by(Notification.created_dt.desc(), Notification.id.desc())
                              .offset((max(page, 1) - 1) * size).limit(size)).scalars()
    return list(rows), total


def open_mine(user_id: int, notification_id: int) -> Notification | None:
    """The user's own notification, now marked read; None when it is not theirs (or does not exist)."""
    row = db.session.execute(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user_id)).scalar_one_or_none()
    if row is not None and row.read_dt is None:
        row.read_dt = utcnow()
    return row


def mark_all_read(user_id: int) -> int:
    """Mark every unread notification of this user read; how many there were."""
    result = db.session.execute(update(Notification).where(
        Notification.user_id == user_id, Notification.read_dt.is_(None)).values(read_dt=utcnow())
        .execution_options(synchronize_session=False))
    return result.rowcount or 0
