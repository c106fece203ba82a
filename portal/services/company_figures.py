"""A company's lifetime order figures (total orders, total sales), kept so the dashboard reads one row
instead of the company's whole order history.

- "Total orders" is the number of orders placed and not cancelled or rejected (COUNTED_ORDER); "total
  sales" is what those orders are worth (their stored totals), per currency: the lifetime purchase value.
  A cancelled or rejected order was never a sale; an order waiting for approval is one until it is rejected.
- Kept by deltas in the same transaction as the orders: a session hook (installed by create_app) reads
  every flushed SalesOrder's before and after state (new, changed or deleted, whatever code path made
  the change: portal pages, admin, services) and adds the difference to the company's row with
  `UPDATE ... SET orders_count = orders_count + :n`. That statement locks the row, so two transactions
  placing orders for one company at once both count (PostgreSQL serialises them on the row; SQLite on
  the database), and a rolled-back transaction takes its delta with it. Each write costs one or two
  statements whatever the company's history.
- Writes that bypass the ORM session (raw SQL, bulk imports) are not seen: `portal reconcile-figures`
  recomputes every company's rows from the orders, reports the differences and fixes them (idempotent).
  It locks each company's rows before recomputing, so it is safe next to live traffic.

Figures that depend on today (overdue, ageing) or must be exact for checkout (available credit) are
not kept here: they read only open documents through indexes (receivables, orders, credit_limit).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask import has_app_context
from sqlalchemy import delete, event, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from portal.extensions import db
from portal.models import Company, CompanyFigures, OrderStatus, SalesOrder

#: orders that count as sales: everything placed except what was cancelled or rejected
NOT_SALES = (OrderStatus.cancelled, OrderStatus.rejected)
ZERO = Decimal("0.00")
_TRACKED = ("company_id", "currency", "status", "total")


@dataclass(frozen=True)
class Lifetime:
    """A company's lifetime figures: orders over all currencies, sales per currency (its own first)."""

    orders_count: int
    sales: tuple[tuple[str, Decimal], ...]


def lifetime(company: Company) -> Lifetime:
    """The kept figures of the company (one indexed read)."""
    rows = db.session.execute(
        select(CompanyFigures.currency, CompanyFigures.orders_count, CompanyFigures.sales_total)
        .where(CompanyFigures.company_id == company.id)).all()
    rows = sorted(rows, key=lambda r: (r.currency != company.currency, r.currency))
    sales = tuple((r.currency, _money(r.sales_total)) for r in rows if r.orders_count or r.sales_total)
    return Lifetime(sum(r.orders_count for r in rows), sales or ((company.currency, ZERO),))


def counts_as_sale(status) -> bool:
    return status is not None and OrderStatus(status) not in NOT_SALES


# --- from the orders themselves ------------------------------------------------------------------------

def recomputed(company_id: int | None = None) -> dict[tuple[int, str], tuple[int, Decimal]]:
    """{(company id, currency): (orders, sales)} computed from the orders (one company or all)."""
    query = (select(SalesOrder.company_id, SalesOrder.currency, func.count(), func.sum(SalesOrder.total))
             .where(SalesOrder.status.not_in(NOT_SALES))
             .group_by(SalesOrder.company_id, SalesOrder.currency))
    if company_id is not None:
        query = query.where(SalesOrder.company_id == company_id)
    return {(cid, cur): (count, _money(total)) for cid, cur, count, total in db.session.execute(query)}


def kept(company_id: int | None = None, lock: bool = False) -> dict[tuple[int, str], tuple[int, Decimal]]:
    query = select(CompanyFigures.company_id, CompanyFigures.currency, CompanyFigures.orders_count,
                   CompanyFigures.sales_total)
    if company_id is not None:
        query = query.where(CompanyFigures.company_id == company_id)
    if lock:
        query = query.with_for_update()
    return {(cid, cur): (count, _money(total)) for cid, cur, count, total in db.session.execute(query)}


@dataclass(frozen=True)
class Difference:
    company_id: int
    currency: str
    kept: tuple[int, Decimal]
    actual: tuple[int, Decimal]


def reconcile(fix: bool = True) -> list[Difference]:
    """Compare every company's kept figures with the orders; with fix, correct the rows (the caller
    commits). Each company's rows are locked before its orders are read."""
    differences = []
    company_ids = db.session.execute(select(Company.id).order_by(Company.id)).scalars().all()
    for company_id in company_ids:
        before = kept(company_id, lock=fix)
        actual = recomputed(company_id)
        for key in sorted(set(before) | set(actual)):
            have, want = before.get(key, (0, ZERO)), actual.get(key, (0, ZERO))
            if have != want:
                differences.append(Difference(key[0], key[1], have, want))
                if fix:
                    _set(key, want, exists=key in before)
    return differences


def _set(key: tuple[int, str], value: tuple[int, Decimal], exists: bool) -> None:
    company_id, currency = key
    if not exists:
        db.session.add(CompanyFigures(company_id=company_id, currency=currency, orders_count=value[0],
                                      sales_total=value[1]))
        db.session.flush()
    elif value == (0, ZERO):
        db.session.execute(delete(CompanyFigures).where(CompanyFigures.company_id == company_id,
                                                        CompanyFigures.currency == currency))
    else:
        db.session.execute(update(CompanyFigures).where(CompanyFigures.company_id == company_id,
                                                        CompanyFigures.currency == currency)
                           .values(orders_count=value[0], sales_total=value[1]))


# --- kept at every flush ----------------------------------------------------------------------------------

def keep_figures() -> None:
    """Keep the figures in step with every flushed order, whatever code path flushed it."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        for name in _TRACKED:  # load the old value on assignment, so a change is always known
            event.listen(getattr(SalesOrder, name), "set", _noop, active_history=True)


def _noop(target, value, oldvalue, initiator):
    return value


def _values(order: SalesOrder, side: str) -> dict:
    """The tracked columns before ("old") or after ("new") this flush (still readable in after_flush)."""
    values = {}
    for name in _TRACKED:
        history = get_history(order, name)
        changed = history.deleted if side == "old" else history.added
        values[name] = changed[0] if changed else getattr(order, name)
    return values


def _contribution(values: dict) -> tuple[tuple[int, str], int, Decimal] | None:
    if values["company_id"] is None or not counts_as_sale(values["status"]):
        return None
    return (values["company_id"], values["currency"]), 1, values["total"] or ZERO


def _after_flush(session: Session, flush_context) -> None:
    if not has_app_context():
        return
    deltas: dict[tuple[int, str], list] = defaultdict(lambda: [0, ZERO])
    #: rows an order counts in after this flush: the only ones that may need creating (a row only
    #: losing orders exists already, unless raw SQL removed it; then reconcile restores it)
    counted: set[tuple[int, str]] = set()

    def add(values: dict, sign: int) -> None:
        found = _contribution(values)
        if found is not None:
            key, count, total = found
            deltas[key][0] += sign * count
            deltas[key][1] += sign * total
            if sign > 0:
                counted.add(key)

    for order in session.new:
        if isinstance(order, SalesOrder):
            add(_values(order, "new"), 1)
    for order in session.dirty:
        if isinstance(order, SalesOrder) and session.is_modified(order):
            old, new = _values(order, "old"), _values(order, "new")
            if old != new:
                add(old, -1)
                add(new, 1)
    for order in session.deleted:
        if isinstance(order, SalesOrder):
            add(_values(order, "old"), -1)
    changes = [(key, count, total) for key, (count, total) in sorted(deltas.items()) if count or total]
    if not changes:  # most flushes change no order's figures
        return
    connection = session.connection()
    for (company_id, currency), count, total in changes:
        _apply(connection, company_id, currency, count, total, create=(company_id, currency) in counted)


def _apply(connection, company_id: int, currency: str, count: int, total: Decimal, create: bool) -> None:
    table = CompanyFigures.__table__
    if create:  # the company's first order in this currency, or one of many: ON CONFLICT keeps it cheap
        insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
        connection.execute(insert(table).values(company_id=company_id, currency=currency, orders_count=0,
                                                sales_total=ZERO).on_conflict_do_nothing())
    connection.execute(table.update()
                       .where(table.c.company_id == company_id, table.c.currency == currency)
                       .values(orders_count=table.c.orders_count + count,
                               sales_total=table.c.sales_total + total))


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))
