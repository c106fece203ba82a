"""Load benchmark: req/s of the main customer pages, as a ratio to a minimal endpoint.

Usage (needs `apt-get install -y wrk` and `pip install -e ".[bench]"`):
    .venv/bin/python bench/load.py [--duration 10] [--repeat 3] [--database-url URL]

Serves the demo data with gunicorn (2 sync workers, as on a 2-core machine), signs in as
the demo customer, then for each page: warm up 3 s, run wrk `--duration` s, `--repeat`
times, and print the median. Absolute figures vary ±20% between runs; the ratio to
/healthz measured in the same run is the number to compare. Traffic goes to 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PAGES = ["/healthz", "/login", "/dashboard", "/orders/", "/invoices/", "/shipments/", "/quotes/"]
CUSTOMER = ("anna@acme.example", "northwind-demo")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], env: dict) -> None:
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def sign_in(port: int) -> str:
    """Sign in through the real form; returns the Cookie header value."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/login")
    res = conn.getresponse()
    cookie = res.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', res.read().decode()).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": CUSTOMER[0], "password": CUSTOMER[1]})
    conn.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    res = conn.getresponse()
    res.read()
    if res.status != 302:
        raise SystemExit(f"sign-in failed with HTTP {res.status}")
    return res.getheader("Set-Cookie", "").split(";")[0]


def wrk(port: int, path: str, cookie: str, seconds: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{path}"],
        check=True, capture_output=True, text=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"{path} answered errors under load:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file with the demo data")
    args = parser.parse_args()
    for tool in ("wrk",):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: apt-get install -y {tool}")
    gunicorn = VENV_BIN / "gunicorn"
    if not gunicorn.exists():
        raise SystemExit('gunicorn is missing: pip install -e ".[bench]"')

    tmp = tempfile.mkdtemp(prefix="portal-bench-")
    env = dict(os.environ, PORTAL_ENV="development",
               DATABASE_URL=args.database_url or f"sqlite:///{tmp}/bench.db")
    portal = str(VENV_BIN / "portal")
    run([portal, "init-db"], env)
    run([portal, "seed-demo"], env)
    port = free_port()
    server = subprocess.Popen([str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        cookie = sign_in(port)
        results = {}
        for path in PAGES:
            wrk(port, path, cookie, 3)  # warm-up
            results[path] = statistics.median(wrk(port, path, cookie, args.duration) for _ in range(args.repeat))
        base = results["/healthz"]
        print(f"{'page':<14}{'req/s (median)':>16}{'ratio to /healthz':>20}")
        for path, rps in results.items():
            print(f"{path:<14}{rps:>16.1f}{rps / base:>20.3f}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
