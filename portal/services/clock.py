"""The one clock: every "today", "overdue" and "expired" decision reads it.

Dates are UTC. Tests move time here, in one place: ``with clock.frozen(date(2026, 3, 1)): ...``.
This module imports nothing of the app, so models and services can both use it.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

_frozen: datetime | None = None


def now() -> datetime:
    """The current moment, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def today() -> date:
    """Today's date in UTC: a document is overdue the day after its due date."""
    return now().date()


@contextmanager
def frozen(at: date | datetime) -> Iterator[datetime]:
    """Stop the clock at `at` (a date means noon UTC that day) until the block ends."""
    global _frozen
    if isinstance(at, datetime):
        moment = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    else:
        moment = datetime(at.year, at.month, at.day, 12, tzinfo=UTC)
    before, _frozen = _frozen, moment
    try:
        yield moment
    finally:
        _frozen = before
