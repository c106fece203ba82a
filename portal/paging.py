"""Paging a document list without counting or sorting the company's whole history.

A page reads one row more than it shows: that row only tells whether there is a next page. With an
index serving the list's filter and order (see the models' __table_args__), a page costs the same with
ten documents or tens of thousands; there is no "page 3 of 640", only Previous and Next.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select

from portal.extensions import db

PER_PAGE = 25
#: deeper pages are not offered: a list this long is searched or filtered, not paged through
MAX_PAGE = 1000


@dataclass(frozen=True)
class Slice:
    """One page of a list: its items and whether there are pages before and after it."""

    items: list[Any]
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def requested_page() -> int:
    """The ?page= of the request: a whole number from 1 to MAX_PAGE (anything else is page 1)."""
    page = request.args.get("page", 1, type=int) or 1
    return page if 1 <= page <= MAX_PAGE else 1


def page_of(query: Select, page: int | None = None, per_page: int = PER_PAGE) -> Slice:
    """The page of an ordered select of one entity (page from the request when not given)."""
    page = page or requested_page()
    rows = db.session.execute(query.limit(per_page + 1).offset((page - 1) * per_page)).scalars().all()
    return Slice(list(rows[:per_page]), page, len(rows) > per_page)
