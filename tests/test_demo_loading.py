"""Loading the demo: never over real data, and nothing in it dated after the moment it is loaded (each
test from the empty database every test starts from; test_demo.py reads one demo loaded for all its tests)."""
from __future__ import annotations

from sqlalchemy import select

from portal.demo import seed_demo
from portal.models import Company, Product, SalesOrder


def _all(db, model):
    return db.session.execute(select(model)).scalars().all()


def test_demo_is_never_loaded_over_real_data(db, make):
    make.company(name="A Real Customer")
    assert seed_demo() is False
    assert _all(db, Product) == []
    assert [c.name for c in _all(db, Company)] == ["A Real Customer"]


def test_demo_is_not_loaded_next_to_an_imported_catalog(db, make):
    make.product(name="Real product", sku="REAL-1")
    assert seed_demo() is False
    assert _all(db, Company) == []
    assert [p.sku for p in _all(db, Product)] == ["REAL-1"]


def test_nothing_in_the_demo_happens_later_than_the_moment_it_is_loaded(db):
    """Loaded at 09:30, the demo's "today" is squeezed into the morning so far, in its order."""
    from datetime import UTC, datetime

    from sqlalchemy import DateTime

    from portal.extensions import db as _db
    from portal.services import clock

    loaded = datetime.combine(clock.today(), datetime.min.time(), tzinfo=UTC).replace(hour=9, minute=30)
    with clock.frozen(loaded):
        assert seed_demo() is True
    later = []
    for table in _db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, DateTime) or column.name in ("expires_dt", "next_attempt_dt"):
                continue
            if table.name in ("role", "role_grant"):
                continue  # the built-in roles, made by the db fixture before the clock was set
            for value in db.session.execute(select(column).where(column.is_not(None))).scalars():
                value = value if value.tzinfo else value.replace(tzinfo=UTC)
                if value > loaded:
                    later.append(f"{table.name}.{column.name} = {value:%d %b %H:%M}")
    assert later == [], f"demo rows dated after the moment it was loaded ({loaded:%H:%M}): {later[:10]}"
    today = sorted(o.placed_dt for o in _all(db, SalesOrder) if o.placed_dt.date() == loaded.date())
    assert today, "the demo has an order placed today"
