"""My Orders: which of a company's orders a search, filters and sort pick, a page at a time or all for CSV.

Scale: a page costs one statement whatever the company's history. Paging reads one row more than
the page ("is there a next page?") instead of counting, and every sort walks an index that starts
with the company (ix_sales_order_company_*): newest/oldest the (company, placed, id) one, a status
filter the (company, status, placed, id) one, totals and numbers their own. A search matches the
order number, the customer's PO reference and the SKU, name or description of any of its lines.
Dates are UTC days of the placed date, both ends included.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext
from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import aliased, joinedload

from portal.extensions import db
from portal.i18n import N_
from portal.models import OrderStatus, Product, SalesOrder, SalesOrderLine, User
from portal.services import price_display

PER_PAGE = 25
#: longest search text taken (longer is cut)
MAX_SEARCH = 80
#: a page number past this is read as the last one asked for (offsets stay cheap to refuse)
MAX_PAGE = 10_000

#: sort key -> (label, ORDER BY); every one ends in the id so equal values page stably
SORTS: dict[str, tuple[str, tuple]] = {
    "newest": (N_("Newest first"), (SalesOrder.placed_dt.desc(), SalesOrder.id.desc())),
    "oldest": (N_("Oldest first"), (SalesOrder.placed_dt.asc(), SalesOrder.id.asc())),
    "total_desc": (N_("Total, highest first"), (SalesOrder.total.desc(), SalesOrder.id.desc())),
    "total_asc": (N_("Total, lowest first"), (SalesOrder.total.asc(), SalesOrder.id.asc())),
    "number": (N_("Order number"), (SalesOrder.number.asc(), SalesOrder.id.asc())),
}
DEFAULT_SORT = "newest"
#: sorts that would tell the order of hidden amounts
PRICE_SORTS = frozenset({"total_desc", "total_asc"})

#: the one date form the list takes (what a browser's date input sends)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

CSV_HEADER = ("Order", "Placed", "Your reference", "Status", "Total", "Currency", "Placed by")


@dataclass(frozen=True)
class Criteria:
    """What the customer asked for; made by `parse`, always valid."""

    search: str = ""
    status: OrderStatus | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = DEFAULT_SORT
    #: messages about what was asked but could not be used (a bad date): shown, and that part ignored
    problems: tuple[str, ...] = field(default=(), compare=False)

    def link_args(self) -> dict[str, str]:
        """The query-string arguments that give these criteria again (pager and CSV links)."""
        args = {"q": self.search, "status": self.status.value if self.status else "",
                "from": self.date_from.isoformat() if self.date_from else "",
                "to": self.date_to.isoformat() if self.date_to else "",
                "sort": self.sort if self.sort != DEFAULT_SORT else ""}
        return {key: value for key, value in args.items() if value}


def sort_options(prices_hidden: bool) -> dict[str, str]:
    return {key: gettext(label) for key, (label, _) in SORTS.items() if not (prices_hidden and key in PRICE_SORTS)}


def _date(raw: str, label: str, problems: list[str]) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        if not ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(gettext("“%(label)s” must be a date like 2026-03-31; the list is not filtered by date.",
                                label=label))
        return None


def parse(args: Mapping[str, str], prices_hidden: bool = False) -> Criteria:
    """Criteria from the list form's query string; anything unknown is left out, a bad date is a problem."""
    problems: list[str] = []
    status_text = (args.get("status") or "").strip()
    status = OrderStatus(status_text) if status_text in OrderStatus.__members__ else None
    date_from = _date(args.get("from") or "", gettext("From"), problems)
    date_to = _date(args.get("to") or "", gettext("To"), problems)
    if problems:
        date_from = date_to = None
    elif date_from and date_to and date_from > date_to:
        problems.append(gettext("“From” is after “To”; the list is not filtered by date."))
        date_from = date_to = None
    sort = (args.get("sort") or "").strip()
    if sort not in sort_options(prices_hidden):
        sort = DEFAULT_SORT
    return Criteria(search=" ".join((args.get("q") or "").split())[:MAX_SEARCH], status=status,
                    date_from=date_from, date_to=date_to, sort=sort, problems=tuple(problems))


def page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(company_id: int, search: str) -> ColumnElement[bool]:
    """Number, PO reference, or a line's product or description. The lines are looked for among the
    company's orders only (PostgreSQL hashes such a subquery once: it must not read every company's lines)."""
    pattern = _like(search)
    lines_order = aliased(SalesOrder)
    on_a_line = (
        select(SalesOrderLine.order_id)
        .join(lines_order, lines_order.id == SalesOrderLine.order_id)
        .outerjoin(Product, Product.id == SalesOrderLine.product_id)
        .where(lines_order.company_id == company_id,
               or_(SalesOrderLine.description.ilike(pattern, escape="\\"),
                   Product.sku.ilike(pattern, escape="\\"), Product.name.ilike(pattern, escape="\\")))
    )
    return or_(SalesOrder.number.ilike(pattern, escape="\\"),
               SalesOrder.customer_reference.ilike(pattern, escape="\\"), SalesOrder.id.in_(on_a_line))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def conditions(company_id: int, criteria: Criteria) -> ColumnElement[bool]:
    """The WHERE of the company's orders the criteria pick."""
    clauses = [SalesOrder.company_id == company_id]
    if criteria.status is not None:
        clauses.append(SalesOrder.status == criteria.status)
    if criteria.date_from is not None:
        clauses.append(SalesOrder.placed_dt >= _start_of(criteria.date_from))
    if criteria.date_to is not None and criteria.date_to < date.max:
        clauses.append(SalesOrder.placed_dt < _start_of(criteria.date_to + timedelta(days=1)))
    if criteria.search:
        clauses.append(_matches(company_id, criteria.search))
    return and_(*clauses)


def _ordered(query: Select, criteria: Criteria) -> Select:
    return query.order_by(*SORTS[criteria.sort][1])


@dataclass(frozen=True)
class OrderPage:
    items: list[SalesOrder]
    page: int
    per_page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def find_page(company_id: int, criteria: Criteria, page: int = 1, per_page: int | None = None) -> OrderPage:
    """One page of the orders the criteria pick, in one statement (who placed each loaded with it)."""
    per_page = per_page or PER_PAGE
    query = _ordered(select(SalesOrder).where(conditions(company_id, criteria)), criteria)
    rows = list(db.session.execute(
        query.options(joinedload(SalesOrder.placed_by)).limit(per_page + 1).offset((page - 1) * per_page)
    ).scalars())
    return OrderPage(rows[:per_page], page, per_page, has_next=len(rows) > per_page)


def status_words(status: OrderStatus) -> str:
    """"pending_approval" as the pages show it: "Pending approval"."""
    return status.value.replace("_", " ").capitalize()


def csv_total(value, currency: str) -> str:
    """The total as a CSV cell: the plain amount, or what hidden prices show instead."""
    if not price_display.prices_hidden():
        return f"{value:.2f}"
    shown = price_display.show_price(value, currency)
    return shown if shown == price_display.ON_REQUEST else "0.00"


def csv_rows(company_id: int, criteria: Criteria) -> Iterator[tuple]:
    """Every order the criteria pick, in the list's order, read in batches (for a streamed CSV)."""
    query = _ordered(
        select(SalesOrder.number, SalesOrder.placed_dt, SalesOrder.customer_reference, SalesOrder.status,
               SalesOrder.total, SalesOrder.currency, User.name)
        .outerjoin(User, User.id == SalesOrder.placed_by_id).where(conditions(company_id, criteria)), criteria)
    for number, placed, reference, status, total, currency, placed_by in db.session.execute(
            query.execution_options(yield_per=500)):
        yield (number, placed.strftime("%Y-%m-%d %H:%M"), reference or "", status_words(status),
               csv_total(total, currency),
               currency, placed_by or "")
