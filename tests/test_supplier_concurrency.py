"""Two colleagues of a supplier answering the same purchase order at the same moment (real parallel
connections: file-backed SQLite or PostgreSQL as the suite runs): one acknowledgement, one pending proposal."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db as _db
from portal.models import AuditLog, DeliveryDateProposal, ProposalStatus, PurchaseOrder, User
from portal.services import clock
from portal.services import purchase_order_responses as responses
from portal.services.actor import Actor


def in_parallel(app, order_id: int, user_ids: list[int], answer) -> list:
    """Each user loads the order (and what was proposed on it), they meet, then each answers."""
    meet = threading.Barrier(len(user_ids), timeout=5)

    def act(user_id):
        with app.app_context():
            try:
                order = _db.session.get(PurchaseOrder, order_id)
                order.date_proposals  # noqa: B018 - read before the other one writes
                meet.wait()
                result = answer(order, Actor.of(_db.session.get(User, user_id)))
                _db.session.commit()
                return result
            finally:
                _db.session.remove()

    with ThreadPoolExecutor(max_workers=len(user_ids)) as pool:
        return list(pool.map(act, user_ids, timeout=60))


def test_two_acknowledgements_at_once_record_one(committed_db, app, make):
    supplier = make.supplier()
    users = [make.contact(supplier, role="Buyer").id, make.contact(supplier, role="Admin").id]
    order_id = make.purchase_order(supplier).id
    outcomes = in_parallel(app, order_id, users, responses.acknowledge)
    assert sorted(outcomes) == [False, True]
    _db.session.expire_all()
    assert _db.session.execute(select(func.count()).select_from(AuditLog)
                               .filter_by(action="purchase_order.acknowledge")).scalar_one() == 1


def test_two_proposals_at_once_leave_one_pending(committed_db, app, make):
    supplier = make.supplier()
    users = [make.contact(supplier, role="Buyer").id, make.contact(supplier, role="Admin").id]
    order_id = make.purchase_order(supplier).id
    dates = iter([(clock.today() + timedelta(days=10)).isoformat(), (clock.today() + timedelta(days=12)).isoformat()])
    lock = threading.Lock()

    def propose(order, by):
        with lock:
            when = next(dates)
        return responses.propose_date(order, when, "", by)

    in_parallel(app, order_id, users, propose)
    _db.session.expire_all()
    rows = _db.session.execute(select(DeliveryDateProposal)).scalars().all()
    assert [row.status for row in rows] == [ProposalStatus.pending]
