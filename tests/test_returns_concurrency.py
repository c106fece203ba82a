"""Two return requests for the same order line at the same moment (real parallel connections: file-backed
SQLite or PostgreSQL as the suite runs): together they never return more than was delivered."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from portal.extensions import db as _db
from portal.models import ReturnLine, SalesOrder, User
from portal.services import returns
from portal.services.actor import Actor
from tests.return_helpers import delivered_order


def test_parallel_requests_never_return_more_than_delivered(committed_db, app, make, monkeypatch):
    company = make.company(name="ACME Tools")
    buyer = make.contact(company, role="Buyer")
    order = delivered_order(make, company, lines=(("4", "25.00"),))
    order_id, line_id, buyer_id = order.id, order.lines[0].id, buyer.id
    # Both requests read what is returned before either writes, unless the order's lock keeps the second
    # one waiting until the first commits (then the barrier gives up after a moment and it goes on).
    meet = threading.Barrier(2, timeout=1)
    waited = threading.local()
    original = returns.returned_quantities

    def read_then_meet(order_id):
        found = original(order_id)
        if not getattr(waited, "done", False):
            waited.done = True
            try:
                meet.wait()
            except threading.BrokenBarrierError:
                pass
        return found

    monkeypatch.setattr(returns, "returned_quantities", read_then_meet)

    def three_of_four(_):
        with app.app_context():
            try:
                order = _db.session.get(SalesOrder, order_id)
                returns.request_return(order, [returns.LineChoice(line_id, "3", "damaged")],
                                       by=Actor.of(_db.session.get(User, buyer_id)))
                _db.session.commit()
                return "made"
            except returns.ReturnError as exc:
                _db.session.rollback()
                return str(exc)
            finally:
                _db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(three_of_four, range(2), timeout=60))
    assert outcomes[1] == "made" and outcomes[0].startswith("At most 1 of Widget 1 can still be returned"), outcomes
    _db.session.expire_all()
    assert [line.quantity for line in _db.session.execute(select(ReturnLine)).scalars()] == [3]
