"""Customer activity at scale (issue 11 item 7): does the back office's Customer activity page cost the same
when every company has thousands of portal events as when it has a few? Not run by pytest; asserts nothing.

Usage:
    .venv/bin/python bench/company_activity.py [--database-url URL] [--companies 200] [--small 5]
        [--events 5000] [--requests 30]

Into an empty database (a fresh SQLite file by default; give an empty PostgreSQL database with
--database-url): the schema, --companies customer companies and a staff user. Each company gets --small
events through portal.services.portal_events (so its kept CompanyActivity row is right), and three pages
are timed in-process (Flask test client, signed in as staff; median wall and CPU ms per request): the
companies list (50 a page, with their 30-day counts), one company's events and everyone's events. Then
every company's history is bulk-inserted up to --events events (spread over 400 days, a tenth of them in
the last 30), ANALYZE gives the planner its statistics, and the pages are timed again. Last, the ratio
large/small per page: near 1 means the page reads the kept rows and index ranges, not the history.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text

from portal import create_app
from portal.extensions import db
from portal.models import Company, PortalEvent, User, UserKind
from portal.services import clock, portal_events
from portal.services.actor import Actor
from portal.services.roles import seed_roles

STAFF = ("bench-staff@example.com", "bench-staff-password")
KINDS = ("signed_in", "quote_viewed", "order_placed", "ticket_opened", "invoice_pdf_downloaded")


def timed(client, path: str, requests: int) -> tuple[float, float]:
    for _ in range(3):
        assert client.get(path).status_code == 200, path
    walls, cpus = [], []
    for _ in range(requests):
        started, cpu = time.perf_counter(), time.process_time()
        client.get(path)
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def measure(client, company_id: int, requests: int) -> dict[str, tuple[float, float]]:
    pages = {"companies": "/admin/customer-activity/",
             "dormant first": "/admin/customer-activity/?show=dormant&sort=dormant&days=30",
             "one company's events": f"/admin/customer-activity/events/?company={company_id}",
             "everyone's events": "/admin/customer-activity/events/"}
    return {name: timed(client, path, requests) for name, path in pages.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--companies", type=int, default=200)
    parser.add_argument("--small", type=int, default=5)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='activity-bench-')}/bench.db"
    os.environ.setdefault("PORTAL_ENV", "development")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        seed_roles()
        staff = User(email=STAFF[0], name="Bench Staff", kind=UserKind.staff)
        staff.set_password(STAFF[1])
        db.session.add(staff)
        companies = [Company(code=f"B-{n:05d}", name=f"Bench Customer {n:05d}", portal_access=True)
                     for n in range(args.companies)]
        db.session.add_all(companies)
        db.session.commit()
        ids = [c.id for c in companies]
        now = clock.now()
        for company_id in ids:
            for n in range(args.small):
                with clock.frozen(now - timedelta(days=random.uniform(0, 60))):
                    portal_events.record(KINDS[n % len(KINDS)], company_id=company_id, by=Actor())
        db.session.commit()

        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        assert client.post("/login", data={"csrf_token": token, "email": STAFF[0], "password": STAFF[1]}
                           ).status_code == 302
        small = measure(client, ids[0], args.requests)

        started = time.perf_counter()
        more = args.events - args.small
        for company_id in ids:
            rows = [{"kind": KINDS[n % len(KINDS)], "company_id": company_id, "data": {},
                     "created_dt": now - timedelta(days=random.uniform(0, 400) if n % 10 else random.uniform(0, 30))}
                    for n in range(more)]
            db.session.execute(insert(PortalEvent), rows)
        db.session.commit()
        total = db.session.execute(select(text("count(*)")).select_from(PortalEvent)).scalar_one()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        print(f"{db.engine.dialect.name}: {args.companies} companies; {total:,} events "
              f"(bulk insert {time.perf_counter() - started:.1f} s)")
        large = measure(client, ids[0], args.requests)
        print(f"{'page':24} {'small ms':>9} {'cpu':>7} {'large ms':>9} {'cpu':>7} {'ratio':>6}")
        for name in small:
            (sw, sc), (lw, lc) = small[name], large[name]
            print(f"{name:24} {sw:9.1f} {sc:7.1f} {lw:9.1f} {lc:7.1f} {lw / sw:6.2f}")


if __name__ == "__main__":
    main()
