"""Catalog load benchmark (issue 8 item 13): req/s, p50 and p99 of the catalog pages, as a ratio to a
minimal endpoint measured in the same run. Not run by pytest; asserts nothing.

Usage (after bench/generate_catalog.py filled the database):
    .venv/bin/python bench/catalog_load.py --database-url URL [--baseline-url URL_1K] [--duration 10] [--repeat 3]

Serves the app with gunicorn (2 sync workers, as on a 2-core machine) on 127.0.0.1, signs in as the
generated customer, warms every page up (3 s each), then for each page: warm up again, then --repeat
times load the minimal endpoint and the page for --duration s each; it prints the median of the runs'
req/s, p50 and p99 (each column on its own), the median of the page's req/s divided by the minimal
endpoint's just before (paired: the machine's speed drifts during a long run), and how many product
cards the page shows (a page at 1k and at 200k compares alike only when both show as many). With wrk installed it drives the load; otherwise a small Python load generator with
one thread per connection does (it saturates earlier than wrk: compare ratios, not absolutes).
With --baseline-url (the 1k catalog) that database is loaded first, and each page's p99 on
--database-url is printed divided by its p99 on the baseline.
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
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import free_port, wait_for
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db
from portal.models import Category, Product

ROOT = Path(__file__).resolve().parent.parent
CUSTOMER = ("bench@example.com", "bench-password")


def pages(database_url: str) -> dict[str, str]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        top = db.session.execute(select(Category.id).where(Category.parent_id.is_(None)).order_by(Category.id)).scalar()
        middle = db.session.execute(select(func.max(Product.id))).scalar_one() // 2
        db.session.remove()
        db.engine.dispose()
    return {"minimal (/healthz)": "/healthz", "catalog": "/shop/", "category": f"/shop/?category={top}",
            "search": "/shop/?q=zinc+screw", "search with a typo": "/shop/?q=scerw",
            "product": f"/shop/product/{middle}", "cart": "/shop/cart"}


def sign_in(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/login")
    res = conn.getresponse()
    cookie = res.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', res.read().decode()).group(1)
    body = f"csrf_token={token}&email={CUSTOMER[0]}&password={CUSTOMER[1]}"
    conn.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    res = conn.getresponse()
    res.read()
    if res.status != 302:
        raise SystemExit(f"sign-in failed with HTTP {res.status}: run bench/generate_catalog.py first")
    cookie = res.getheader("Set-Cookie", "").split(";")[0]
    # The first page after signing in adds the form token to the session; a browser keeps the cookie it
    # is sent back, so the load replays that one (else every request would make a new token and cookie).
    conn.request("GET", "/shop/", headers={"Cookie": cookie})
    res = conn.getresponse()
    res.read()
    return (res.getheader("Set-Cookie") or cookie).split(";")[0]


def load_python(port: int, path: str, cookie: str, seconds: float, connections: int) -> tuple[float, float, float]:
    """(req/s, p50 ms, p99 ms) with one thread and one keep-alive connection per simulated client."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            began = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie})
            res = conn.getresponse()
            res.read()
            mine.append(time.perf_counter() - began)
            if res.status != 200:
                errors.append(res.status)
            if res.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    if errors:
        raise SystemExit(f"{path} answered {sorted(set(errors))} under load")
    latencies.sort()
    return (len(latencies) / elapsed, latencies[len(latencies) // 2] * 1000,
            latencies[min(int(len(latencies) * 0.99), len(latencies) - 1)] * 1000)


def load_wrk(port: int, path: str, cookie: str, seconds: float, connections: int) -> tuple[float, float, float]:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "--latency", "-H",
                          f"Cookie: {cookie}", f"http://127.0.0.1:{port}{path}"],
                         check=True, capture_output=True, text=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"{path} answered errors under load:\n{out}")

    def millis(label):
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), millis("50"), millis("99")


def cards_shown(port: int, path: str, cookie: str) -> int:
    """How many product cards the page shows."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Cookie": cookie})
    return conn.getresponse().read().decode().count('class="product-card"')


def run(url: str, args, gunicorn: str, load) -> dict[str, tuple[float, float, float, float, int]]:
    """Serve the database with gunicorn and load each page: page -> median (req/s, p50 ms, p99 ms, ratio),
    product cards shown.

    Each run of a page follows a run of the minimal endpoint, and the page's ratio is the median of its
    runs' req/s each divided by the minimal endpoint's just before it: the machine's speed drifts over a
    benchmark of several minutes (other jobs, CPU frequency), and a ratio to a figure taken minutes earlier
    would carry that drift. The minimal endpoint's row shows the median of all its runs."""
    targets = {name: path for name, path in pages(url).items() if name == MINIMAL or not args.page or name in args.page}
    port = free_port()
    env = dict(os.environ, PORTAL_ENV="development", DATABASE_URL=url)
    server = subprocess.Popen([gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        cookie = sign_in(port)
        minimal_path = targets.pop(MINIMAL)
        cards = {name: cards_shown(port, path, cookie) for name, path in targets.items()}
        # every page once before any is measured: both workers' caches, templates and database pages
        for path in [minimal_path, *targets.values()]:
            load(port, path, cookie, args.warm_up, args.connections)
        minimal_runs: list[tuple[float, float, float]] = []
        results = {}
        for name, path in targets.items():
            load(port, path, cookie, args.warm_up, args.connections)
            runs, ratios = [], []
            for _ in range(args.repeat):
                minimal_runs.append(load(port, minimal_path, cookie, args.duration, args.connections))
                runs.append(load(port, path, cookie, args.duration, args.connections))
                ratios.append(runs[-1][0] / minimal_runs[-1][0])
            results[name] = (*_median(runs), statistics.median(ratios), cards[name])
        return {MINIMAL: (*_median(minimal_runs), 1.0, 0), **results}
    finally:
        server.terminate()
        server.wait(timeout=10)


def _median(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """The median req/s, the median p50 and the median p99 of the runs, each taken on its own: one run's
    tail (a pause of the host in one 6 s window) does not become the page's p99."""
    return tuple(statistics.median(column) for column in zip(*runs, strict=True))


def report(title: str, results: dict[str, tuple[float, float, float, float, int]]) -> None:
    print(title)
    print(f"{'page':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}{'cards':>7}")
    for name, (rps, p50, p99, ratio, cards) in results.items():
        print(f"{name:<22}{rps:>9.1f}{p50:>9.1f}{p99:>9.1f}{ratio:>8.3f}{cards or '':>7}")


MINIMAL = "minimal (/healthz)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), required=False)
    parser.add_argument("--baseline-url", help="a small catalog (1k products) loaded first: prints each page's "
                                               "p99 on --database-url divided by its p99 here")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warm-up", type=float, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--page", action="append", help="only this page (repeatable; e.g. catalog, search); the "
                                                        "minimal endpoint is always loaded")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{ROOT / 'instance' / 'bench-catalog.db'}"
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise SystemExit('gunicorn is missing: pip install -e ".[bench]"')
    load = load_wrk if shutil.which("wrk") else load_python
    print(f"load generator: {'wrk' if load is load_wrk else 'python threads'}, {args.connections} connections, "
          f"median of {args.repeat} × {args.duration:g} s")
    baseline = run(args.baseline_url, args, gunicorn, load) if args.baseline_url else None
    if baseline:
        report(f"baseline: {args.baseline_url}", baseline)
    results = run(url, args, gunicorn, load)
    report(f"catalog: {url}", results)
    print(f"pages: {statistics.mean(r[0] for n, r in results.items() if n != MINIMAL):.1f} req/s on average")
    if baseline:
        print("p99 here / p99 on the baseline: " + ", ".join(
            f"{name} {results[name][2] / baseline[name][2]:.2f}" for name in results if name != MINIMAL))


if __name__ == "__main__":
    main()
