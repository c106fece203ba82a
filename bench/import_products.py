"""Time a 50,000-line product import (issue 12 item 1: under a minute on this machine). Not run by pytest.

Usage:
    .venv/bin/python bench/import_products.py [--lines 50000] [--database-url URL]

Into an empty database (schema from the migrations, so the search index and catalog triggers run as in
production): writes a CSV of ``--lines`` products (semicolon separated, with a BOM, in 40 categories), then
times preview + apply three times through the import service — all new, the same file again (all
unchanged), and a file with every tenth name changed — printing seconds and lines per second for each,
and this process's CPU seconds (the wall time grows when other work shares the machine's two cores;
apply plans the file again before it writes, so it holds a second preview).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from portal import create_app, schema
from portal.extensions import db
from portal.models import Category, Product
from portal.services import imports
from portal.services.actor import SYSTEM
from portal.services.imports import reading

HEADER = "sku;name;description;category;unit;visibility;guest_visible;pack_size;min_order_qty;order_increment;tax_rate"


def product_file(lines: int, renamed_every: int = 0) -> bytes:
    rows = [HEADER]
    for n in range(lines):
        name = f"Hex bolt M{6 + n % 20} x {10 + n % 90} zinc plated"
        if renamed_every and n % renamed_every == 0:
            name += " (new)"
        rows.append(f"BEN-{n:06d};{name};Box of {n % 500 + 1}, DIN 933;range-{n % 40};pcs;all;yes;"
                    f"{n % 50 + 1};1;1;21")
    return ("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8")


def timed_import(data: bytes, label: str) -> None:
    kind = imports.KINDS["products"]
    started, cpu = time.monotonic(), time.process_time()
    mapping = imports.default_mapping(kind, reading.read(data).headers)
    preview = imports.preview(kind, data, mapping)
    planned = time.monotonic()
    imports.apply(kind, data, mapping, preview.fingerprint(), actor=SYSTEM, filename="bench.csv")
    db.session.commit()
    done = time.monotonic()
    lines = len(preview.lines)
    print(f"{label:<26} {lines} lines {preview.counts}: preview {planned - started:.1f} s, "
          f"preview + apply {done - started:.1f} s ({lines / (done - started):,.0f} lines/s; "
          f"{time.process_time() - cpu:.1f} s of CPU in this process)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="an empty database (default: a new SQLite file in a temporary folder)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='portal-import-bench-')}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "DATABASE_STATEMENT_TIMEOUT": 0})
    with app.app_context():
        schema.upgrade()
        if db.session.execute(select(func.count(Product.id))).scalar_one():
            raise SystemExit("the database already holds products: give an empty one")
        db.session.add_all(Category(name=f"Range {n}", slug=f"range-{n}", position=n) for n in range(40))
        db.session.commit()
        first = product_file(args.lines)
        print(f"{db.engine.dialect.name}: file of {len(first) / 1e6:.1f} MB", flush=True)
        timed_import(first, "new products")
        timed_import(first, "the same file again")
        timed_import(product_file(args.lines, renamed_every=10), "every tenth name changed")


if __name__ == "__main__":
    main()
