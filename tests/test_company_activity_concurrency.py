"""A company's kept latest activity stays right when its people act at the same moment: threads, each with
its own app context (own session and connection), record events for one company and commit at once — on a
file-backed SQLite and, when DATABASE_URL points at PostgreSQL, on that server. The kept row must hold the
latest event, the latest sign-in and every event must be there (none lost to a conflict)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from portal.extensions import db as _db
from portal.models import Company, CompanyActivity, PortalEvent
from portal.services import portal_events
from portal.services.actor import Actor

THREADS, PER_THREAD = 6, 15


def _record_in_parallel(app, company_id: int) -> None:
    start = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        with app.app_context():
            start.wait(timeout=30)
            for i in range(PER_THREAD):
                kind = "signed_in" if (n + i) % 3 == 0 else "quote_viewed"
                portal_events.record(kind, company_id=company_id, by=Actor())
                _db.session.commit()
            _db.session.remove()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for future in [pool.submit(worker, n) for n in range(THREADS)]:
            future.result(timeout=300)


def test_events_recorded_at_once_leave_the_latest_kept(engine_app):
    with engine_app.app_context():
        company = Company(code="C-RACE", name="Race Co", portal_access=True)
        _db.session.add(company)
        _db.session.commit()
        company_id = company.id
    _record_in_parallel(engine_app, company_id)
    with engine_app.app_context():
        events = select(PortalEvent).where(PortalEvent.company_id == company_id)
        assert _db.session.execute(select(func.count()).select_from(events.subquery())).scalar_one() == \
            THREADS * PER_THREAD
        latest = _db.session.execute(events.order_by(PortalEvent.created_dt.desc()).limit(1)).scalar_one()
        last_sign_in = _db.session.execute(select(func.max(PortalEvent.created_dt)).where(
            PortalEvent.company_id == company_id, PortalEvent.kind == "signed_in")).scalar_one()
        kept = _db.session.get(CompanyActivity, company_id)
        assert (kept.last_event_dt, kept.last_event_kind) == (latest.created_dt, latest.kind)
        assert kept.last_sign_in_dt == last_sign_in and kept.last_order_dt is None
