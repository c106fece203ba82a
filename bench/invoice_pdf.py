"""Invoice PDF benchmark (issue 10): the median time to render a 1-page branded invoice PDF through the one
renderer (portal.services.pdf), the way Invoices → an invoice → Download PDF does, 20 runs after a warm-up,
against the 250 ms target. Asserts nothing; the exit status is 0 either way.

Usage:
    .venv/bin/python bench/invoice_pdf.py [--runs 20]

Builds a throw-away SQLite database in a temporary folder with one customer, its addresses, an order and
its invoice of eight lines at two tax rates, and prints the median, the spread, the median CPU time of the
process (on a busy machine the wall time also counts waiting for a core), the page count (parsed back from the
PDF) and the median as a share of the target.
"""
from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pdf_timing import HEADER, scratch_app, timed
from portal.extensions import db
from portal.models import Address, AddressKind, Company, Invoice, InvoiceLine, SalesOrder
from portal.services.document_pdfs import invoice_pdf
from portal.services.totals import recompute_totals

TARGET_MS = 250.0


def make_invoice(company: Company) -> Invoice:
    ship_to = Address(company=company, kind=AddressKind.shipping, line1="Dock Road 7", city="Rotterdam",
                      postcode="3011 AA", is_default=True)
    bill_to = Address(company=company, kind=AddressKind.billing, line1="Ledger Lane 2", city="Utrecht",
                      postcode="3511 AA", is_default=True)
    order = SalesOrder(number="SO-BENCH-1", company=company, customer_reference="PO-4471",
                       shipping_address=ship_to, billing_address=bill_to)
    invoice = Invoice(number="INV-BENCH-1", company=company, order=order, notes="Thank you for your order.")
    for n in range(8):
        invoice.lines.append(InvoiceLine(position=n, description=f"Pallet rack bay {n + 1}, 2.7 m",
                                         quantity=Decimal(1 + n % 4), unit_price=Decimal("129.50"),
                                         tax_rate=Decimal("9.00") if n % 3 == 0 else Decimal("21.00")))
    recompute_totals(invoice)
    db.session.add_all([ship_to, bill_to, order, invoice])
    db.session.flush()
    return invoice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with scratch_app():
        company = Company(code="BENCH", name="Bench Customer Ltd", portal_access=True, tax_number="NL001B01")
        db.session.add(company)
        db.session.flush()
        invoice = make_invoice(company)
        db.session.commit()
        timing = timed(lambda: invoice_pdf(invoice), args.runs)
        print(f"{'invoice':10} {HEADER} {'target ms':>10}")
        print(f"{timing.row('1 page')} {TARGET_MS:10.0f}")
        verdict = "within" if timing.median <= TARGET_MS else "OVER"
        print(f"median is {timing.median / TARGET_MS:.0%} of the {TARGET_MS:.0f} ms target: {verdict}")

if __name__ == "__main__":
    main()
