"""Where one page spends its time, in-process (no server): mean ms per request and the top functions.

Usage (after bench/generate_catalog.py filled the database):
    .venv/bin/python bench/profile_page.py --database-url URL [--path /shop/] [--requests 200] [--top 25]

Signs in as the generated customer with Flask's test client, warms up, times --requests GETs (wall
and CPU time of this process: CPU time stays steady on a busy machine; the 10th percentile of the
per-request CPU time, best of --rounds, is the steadiest figure), then runs them again under cProfile and prints the functions with the most cumulative time. Asserts nothing.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import create_app

CUSTOMER = ("bench@example.com", "bench-password")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--path", action="append", help="page to measure (repeatable); default /shop/")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=1, help="timed rounds; the best is printed")
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("PORTAL_ENV", "development")
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    signed_in = client.post("/login", data={"csrf_token": token, "email": CUSTOMER[0], "password": CUSTOMER[1]})
    if signed_in.status_code != 302:
        sys.exit(f"sign-in failed: HTTP {signed_in.status_code}")
    for path in args.path or ["/shop/"]:
        for _ in range(20):
            assert client.get(path).status_code == 200, path
        best = None
        for _ in range(args.rounds):
            walls, cpus = [], []
            for _ in range(args.requests):
                started, cpu = time.perf_counter(), time.process_time()
                client.get(path)
                walls.append(time.perf_counter() - started)
                cpus.append(time.process_time() - cpu)
            cpus.sort()
            figures = (sum(walls) * 1000 / len(walls), sum(cpus) * 1000 / len(cpus), cpus[len(cpus) // 10] * 1000)
            best = figures if best is None or figures[2] < best[2] else best
        print(f"{path}: {best[0]:.2f} ms per request, {best[1]:.2f} ms CPU (mean of {args.requests}), "
              f"{best[2]:.2f} ms CPU (10th percentile; best of {args.rounds} rounds)")
        if not args.no_profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                client.get(path)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
