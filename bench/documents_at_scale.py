"""Documents-at-scale benchmark (issue 10 item 9): do the dashboard and the document lists cost the same
for a company with 16,000 orders, invoices, shipments and quotes as for one with ten? Not run by pytest;
asserts nothing.

Usage:
    .venv/bin/python bench/documents_at_scale.py [--database-url URL] [--documents 16000] [--small 10]
        [--duration 10] [--repeat 3] [--connections 8] [--in-process 40]

Into an empty database (a fresh SQLite file by default; give an empty PostgreSQL database with
--database-url): the schema from the migrations and the demo data, then two demo customers — "small"
topped up to --small documents of each kind, "large" (Acme Hardware) multiplied to --documents of each
kind with bulk inserts. The added history is closed (delivered orders, paid invoices, delivered
shipments, accepted quotes), as a long-standing customer's is; the demo's open documents stay. The bulk
inserts bypass the application, so `company_figures.reconcile` fixes the kept figures afterwards (the
command `portal reconcile-figures` does the same) and the number of rows it fixed is printed.

Then, in the same run and for both companies: each page in-process (Flask test client, median ms of
CPU — time.process_time — and wall time per request over --in-process requests; steadier than load
figures on a shared machine), and under load with gunicorn (2 sync workers on 127.0.0.1, wrk when
installed; helpers of bench/catalog_load.py): req/s, p50, p99 and the ratio to /healthz measured in the
same run. Last, p99 at --documents over p99 at --small per page (target: at most 1.3).
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
from sqlalchemy import func, insert, select

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
COMPANIES = {"small": "C-1003", "large": "C-1001"}
PAGES = {"minimal (/healthz)": "/healthz", "dashboard": "/dashboard", "quotes": "/quotes/", "invoices": "/invoices/",
         "shipments": "/shipments/", "orders": "/orders/"}
CHUNK = 4000


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


def build(url: str, small: int, large: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "DATABASE_STATEMENT_TIMEOUT": 0})
    with app.app_context():
        schema.upgrade()
        if not seed_demo():
            raise SystemExit("the database is not empty: give an empty one")
        admin = db.session.execute(select(Role).filter_by(name="Admin")).scalar_one()
        started = time.monotonic()
        for size, code in COMPANIES.items():
            company = db.session.execute(select(Company).filter_by(code=code)).scalar_one()
            top_up(company, small if size == "small" else large)
            user = User(email=f"bench-{size}@example.com", name=f"Bench {size}", kind=UserKind.contact,
                        portal_access=True)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(user_id=user.id, company_id=company.id, role_id=admin.id))
        fixed = company_figures.reconcile()
        db.session.commit()
        print(f"data: {large} documents of each kind for {COMPANIES['large']}, {small} for {COMPANIES['small']} "
              f"in {time.monotonic() - started:.1f} s; reconcile fixed {len(fixed)} figure row(s)")
        db.session.remove()
        db.engine.dispose()


# --- in-process: CPU and wall time per request ----------------------------------------------------------

def in_process(url: str, requests: int) -> dict[str, dict[str, tuple[float, float]]]:
    """{size: {page: (median CPU ms, median wall ms)}} with the Flask test client."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    results = {}
    for size in COMPANIES:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        res = client.post("/login", data={"csrf_token": token, "email": f"bench-{size}@example.com",
                                          "password": PASSWORD})
        if res.status_code != 302:
            raise SystemExit(f"in-process sign-in failed with HTTP {res.status_code}")
        results[size] = {}
        for name, path in PAGES.items():
            cpu, wall = [], []
            for _ in range(requests + 3):
                c0, w0 = time.process_time(), time.perf_counter()
                res = client.get(path)
                cpu.append(time.process_time() - c0)
                wall.append(time.perf_counter() - w0)
                if res.status_code != 200:
                    raise SystemExit(f"{path} answered HTTP {res.status_code}")
            results[size][name] = (statistics.median(cpu[3:]) * 1000, statistics.median(wall[3:]) * 1000)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results


# --- under load --------------------------------------------------------------------------------------------

def sign_in(port: int, email: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/login")
    res = conn.getresponse()
    cookie = res.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', res.read().decode()).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
    conn.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    res = conn.getresponse()
    res.read()
    if res.status != 302:
        raise SystemExit(f"sign-in failed with HTTP {res.status}")
    return res.getheader("Set-Cookie", "").split(";")[0]


def under_load(url: str, args) -> dict[str, dict[str, tuple[float, float, float]]]:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise SystemExit('gunicorn is missing: pip install -e ".[bench]"')
    load = load_wrk if shutil.which("wrk") else load_python
    port = free_port()
    env = dict(os.environ, PORTAL_ENV="development", DATABASE_URL=url)
    server = subprocess.Popen([gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results: dict[str, dict[str, tuple[float, float, float]]] = {}
    try:
        wait_for(port)
        for size in COMPANIES:
            cookie = sign_in(port, f"bench-{size}@example.com")
            results[size] = {}
            for name, path in PAGES.items():
                load(port, path, cookie, args.warm_up, args.connections)
                runs = sorted((load(port, path, cookie, args.duration, args.connections)
                               for _ in range(args.repeat)), key=lambda r: r[0])
                results[size][name] = runs[len(runs) // 2]
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"load generator: {'wrk' if load is load_wrk else 'python threads'}, {args.connections} connections, "
          f"median of {args.repeat} × {args.duration:g} s")
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
    print(f"\n{'page':<20}{'p99 ratio':>10}{'cpu ratio':>10}   ({args.documents} over {args.small} documents; "
          "target p99 ratio <= 1.3)")
    for name in PAGES:
        if name.startswith("minimal"):
            continue
        p99 = loaded["large"][name][2] / loaded["small"][name][2]
        ratio = cpu["large"][name][0] / cpu["small"][name][0]
        print(f"{name:<20}{p99:>10.2f}{ratio:>10.2f}")


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
    tmp = tempfile.mkdtemp(prefix="portal-docs-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    try:
        build(url, args.small, args.documents)
        cpu = in_process(url, args.in_process)
        loaded = under_load(url, args)
        report(args, cpu, loaded)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
