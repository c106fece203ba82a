"""Documents-at-scale benchmark (issue 10 item 9): do the dashboard and the document lists cost the same
for a company with 16,000 orders, invoices, shipments and quotes as for one with ten? Not run by pytest;
asserts nothing.

Usage:
    .venv/bin/python bench/documents_at_scale.py [--database-url URL] [--documents 16000] [--small 10]
        [--duration 10] [--repeat 3] [--connections 8] [--in-process 40]

Into an empty database (a fresh SQLite file by default; give an empty PostgreSQL database with
--database-url): the schema from the migrations and the demo data; the demo customer Acme Hardware
(C-1001) topped up to --small orders, invoices, shipments and quotes, and a contact with the Admin role
to sign in with. gunicorn serves it (2 sync workers on 127.0.0.1; wrk drives the load when installed,
helpers of bench/catalog_load.py). Each page is measured in-process (Flask test client: median CPU ms
per request — time.process_time, steadier than load figures on a shared machine — and wall ms) and
under load (req/s, p50, p99, ratio to /healthz measured in the same run). Then the same customer's
history is multiplied to --documents of each kind with bulk inserts, on the same server, and every
page is measured again. Last, per page, p99 and CPU at --documents over those at --small (target:
p99 ratio at most 1.3). Ten documents do not fill a list page (25 rows), so CPU is also measured at 25
documents and the ratio to it printed: what is left above 1 there is the history, not the rendering.

The added history is closed (delivered orders, paid invoices, delivered shipments, accepted quotes), as
a long-standing customer's is; the demo's open documents stay. Bulk inserts bypass the application, so
`company_figures.reconcile` fixes the kept figures (as `portal reconcile-figures` does) and the number
of rows it fixed is printed; ANALYZE then gives the planner its statistics.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from catalog_load import load_python, load_wrk
from load import free_port, wait_for
from sqlalchemy import func, insert, select, text

from portal import create_app, schema
from portal.demo import seed_demo
from portal.extensions import db
from portal.models import (
    Company,
    Invoice,
    InvoiceStatus,
    Membership,
    OrderStatus,
    Quote,
    QuoteStatus,
    Role,
    SalesOrder,
    Shipment,
    ShipmentStatus,
    User,
    UserKind,
)
from portal.services import clock, company_figures

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password"
CUSTOMER, EMAIL = "C-1001", "bench-documents@example.com"
PAGES = {"minimal (/healthz)": "/healthz", "dashboard": "/dashboard", "quotes": "/quotes/", "invoices": "/invoices/",
         "shipments": "/shipments/", "orders": "/orders/"}
CHUNK = 4000
#: documents that fill one page of every list (portal.paging.PER_PAGE)
FULL_PAGE = 25


# --- the data ---------------------------------------------------------------------------------------------

def bulk(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start:start + CHUNK])


def top_up(company: Company, target: int) -> None:
    """Add closed history until the company has `target` orders, invoices, shipments and quotes."""
    now, today, cid = clock.now(), clock.today(), company.id

    def missing(model) -> range:
        have = db.session.execute(select(func.count()).select_from(model).where(model.company_id == cid)).scalar_one()
        return range(have, target)

    money = {"currency": company.currency, "subtotal": Decimal("100.00"), "tax_total": Decimal("21.00"),
             "total": Decimal("121.00")}
    bulk(SalesOrder, [{"number": f"BSO-{cid}-{n:06d}", "company_id": cid, "status": OrderStatus.delivered,
                       "placed_dt": now - timedelta(days=400, hours=n), **money} for n in missing(SalesOrder)])
    bulk(Invoice, [{"number": f"BIN-{cid}-{n:06d}", "company_id": cid, "status": InvoiceStatus.paid,
                    "issue_date": today - timedelta(days=400 + n // 8), "due_date": today - timedelta(days=370 + n // 8),
                    "amount_paid": Decimal("121.00"), **money} for n in missing(Invoice)])
    bulk(Shipment, [{"number": f"BSH-{cid}-{n:06d}", "company_id": cid, "status": ShipmentStatus.delivered,
                     "carrier": "DHL", "tracking_number": f"JD{n:08d}", "created_dt": now - timedelta(days=400, hours=n),
                     "shipped_dt": now - timedelta(days=400, hours=n), "delivered_dt": now - timedelta(days=399, hours=n)}
                    for n in missing(Shipment)])
    bulk(Quote, [{"number": f"BQ-{cid}-{n:06d}", "company_id": cid, "status": QuoteStatus.accepted,
                  "title": f"Quotation {n}", "created_dt": now - timedelta(days=400, hours=n),
                  "issued_dt": now - timedelta(days=400, hours=n), **money} for n in missing(Quote)])


def prepare(url: str, small: int) -> None:
    """Schema, demo data, the customer topped up to `small` documents of each kind, its bench contact."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "DATABASE_STATEMENT_TIMEOUT": 0})
    with app.app_context():
        schema.upgrade()
        if not seed_demo():
            raise SystemExit("the database is not empty: give an empty one")
        company = db.session.execute(select(Company).filter_by(code=CUSTOMER)).scalar_one()
        user = User(email=EMAIL, name="Bench Admin", kind=UserKind.contact, portal_access=True)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
        admin = db.session.execute(select(Role).filter_by(name="Admin")).scalar_one()
        db.session.add(Membership(user_id=user.id, company_id=company.id, role_id=admin.id))
        _grow(company, small)
        db.session.remove()
        db.engine.dispose()


def multiply(url: str, documents: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "DATABASE_STATEMENT_TIMEOUT": 0})
    with app.app_context():
        _grow(db.session.execute(select(Company).filter_by(code=CUSTOMER)).scalar_one(), documents)
        db.session.remove()
        db.engine.dispose()


def _grow(company: Company, documents: int) -> None:
    started = time.monotonic()
    top_up(company, documents)
    fixed = company_figures.reconcile()
    db.session.commit()
    with db.engine.connect() as conn:  # planner statistics, as autovacuum / a maintained SQLite would have
        conn.execute(text("ANALYZE"))
        conn.commit()
    counts = {model.__tablename__: db.session.execute(
        select(func.count()).select_from(model).where(model.company_id == company.id)).scalar_one()
        for model in (SalesOrder, Invoice, Shipment, Quote)}
    print(f"{CUSTOMER}: {counts} in {time.monotonic() - started:.1f} s; reconcile fixed {len(fixed)} figure row(s)",
          flush=True)


# --- in-process: CPU and wall time per request ----------------------------------------------------------

def in_process(url: str, requests: int) -> dict[str, tuple[float, float]]:
    """{page: (median CPU ms, median wall ms)} with the Flask test client."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    res = client.post("/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    if res.status_code != 302:
        raise SystemExit(f"in-process sign-in failed with HTTP {res.status_code}")
    results = {}
    for name, path in PAGES.items():
        cpu, wall = [], []
        for _ in range(requests + 3):
            c0, w0 = time.process_time(), time.perf_counter()
            res = client.get(path)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
            if res.status_code != 200:
                raise SystemExit(f"{path} answered HTTP {res.status_code}")
        results[name] = (statistics.median(cpu[3:]) * 1000, statistics.median(wall[3:]) * 1000)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results


# --- under load --------------------------------------------------------------------------------------------

def sign_in(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/login")
    res = conn.getresponse()
    cookie = res.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', res.read().decode()).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    conn.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    res = conn.getresponse()
    res.read()
    if res.status != 302:
        raise SystemExit(f"sign-in failed with HTTP {res.status}")
    return res.getheader("Set-Cookie", "").split(";")[0]


def under_load(load, port: int, cookie: str, args) -> dict[str, tuple[float, float, float]]:
    """{page: (req/s, p50 ms, p99 ms)}, the median of --repeat runs after a warm-up."""
    results = {}
    for name, path in PAGES.items():
        load(port, path, cookie, args.warm_up, args.connections)
        runs = sorted((load(port, path, cookie, args.duration, args.connections) for _ in range(args.repeat)),
                      key=lambda r: r[0])
        results[name] = runs[len(runs) // 2]
    return results


def report(args, cpu, loaded) -> None:
    sizes = {"small": args.small, "large": args.documents}
    print(f"\n{'page':<20}{'docs':>7}{'cpu ms':>9}{'wall ms':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}")
    for size, count in sizes.items():
        base = loaded[size]["minimal (/healthz)"][0]
        for name in PAGES:
            rps, p50, p99 = loaded[size][name]
            print(f"{name:<20}{count:>7}{cpu[size][name][0]:>9.2f}{cpu[size][name][1]:>9.2f}"
                  f"{rps:>9.1f}{p50:>9.1f}{p99:>9.1f}{rps / base:>8.3f}")
    print(f"\n{'page':<20}{'cpu ms':>9}{'wall ms':>9}   (in-process at {FULL_PAGE} documents: every list shows a full page)")
    for name in PAGES:
        print(f"{name:<20}{cpu['page'][name][0]:>9.2f}{cpu['page'][name][1]:>9.2f}")
    print(f"\n{'page':<20}{'p99 ratio':>10}{'cpu ratio':>10}{f'cpu / {FULL_PAGE}':>10}   ({args.documents} over "
          f"{args.small} documents; target p99 ratio <= 1.3)")
    for name in PAGES:
        if name.startswith("minimal"):
            continue
        p99 = loaded["large"][name][2] / loaded["small"][name][2]
        ratio = cpu["large"][name][0] / cpu["small"][name][0]
        full = cpu["large"][name][0] / cpu["page"][name][0]
        print(f"{name:<20}{p99:>10.2f}{ratio:>10.2f}{full:>10.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="an empty database (default: a fresh SQLite file)")
    parser.add_argument("--documents", type=int, default=16000)
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warm-up", type=float, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--in-process", type=int, default=40, help="requests per page for the CPU figures")
    args = parser.parse_args()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise SystemExit('gunicorn is missing: pip install -e ".[bench]"')
    load = load_wrk if shutil.which("wrk") else load_python
    tmp = tempfile.mkdtemp(prefix="portal-docs-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    prepare(url, args.small)
    port = free_port()
    env = dict(os.environ, PORTAL_ENV="development", DATABASE_URL=url)
    server = subprocess.Popen([gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cpu, loaded = {}, {}
    try:
        wait_for(port)
        cookie = sign_in(port)
        cpu["small"], loaded["small"] = in_process(url, args.in_process), under_load(load, port, cookie, args)
        multiply(url, FULL_PAGE)  # one full page of each list: rendering 25 rows instead of 10 is not scale
        cpu["page"] = in_process(url, args.in_process)
        multiply(url, args.documents)  # same server, same session: only the history grew
        cpu["large"], loaded["large"] = in_process(url, args.in_process), under_load(load, port, cookie, args)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"load generator: {'wrk' if load is load_wrk else 'python threads'}, {args.connections} connections, "
          f"median of {args.repeat} × {args.duration:g} s")
    report(args, cpu, loaded)


if __name__ == "__main__":
    main()
