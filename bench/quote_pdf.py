"""Quote PDF benchmark (issue 9): the median time to render a 1-page and a 10-page branded quote PDF
through the one renderer (portal.services.pdf), 20 runs each after a warm-up. Asserts nothing.

Usage:
    .venv/bin/python bench/quote_pdf.py [--runs 20]

Builds a throw-away SQLite database in a temporary folder with one customer and two quotes (a few lines,
and enough lines in sections for ten pages), renders each the way the download does, and prints the
median, the spread and the page count (parsed back from the PDF). Target on a 2-core machine: ≤ 250 ms
for one page.
"""
from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pdf_timing import HEADER, scratch_app, timed
from portal.blueprints.quotations.services import quote_pdf
from portal.extensions import db
from portal.models import Company, Quote, QuoteLine, QuoteSection, QuoteStatus
from portal.services.totals import recompute_totals

LINES_PER_SECTION = 12


def make_quote(company: Company, lines: int, number: str) -> Quote:
    quote = Quote(number=number, company_id=company.id, status=QuoteStatus.sent, title="Warehouse fit-out",
                  introduction="Thank you for your enquiry. Here is our offer for the works discussed.",
                  terms="Payment within 30 days. Prices exclude delivery.")
    db.session.add(quote)
    section = None
    for n in range(lines):
        if n % LINES_PER_SECTION == 0:
            section = QuoteSection(title=f"Area {n // LINES_PER_SECTION + 1}", position=n)
            quote.sections.append(section)
        quote.lines.append(QuoteLine(position=n, section=section, description=f"Pallet rack bay {n + 1}, 2.7 m",
                                     quantity=Decimal(1 + n % 5), unit_price=Decimal("129.50"),
                                     optional=n % 17 == 16))
    recompute_totals(quote)
    db.session.flush()
    return quote


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with scratch_app():
        company = Company(code="BENCH", name="Bench Customer Ltd", portal_access=True)
        db.session.add(company)
        db.session.flush()
        cases = {"1 page": make_quote(company, 6, "Q-BENCH-1"), "10 pages": make_quote(company, 255, "Q-BENCH-10")}
        db.session.commit()
        print(f"{'quote':10} {HEADER}")
        for name, quote in cases.items():
            print(timed(lambda quote=quote: quote_pdf(quote), args.runs).row(name))

if __name__ == "__main__":
    main()
