"""Quick order: "SKU quantity" lines pasted or uploaded as CSV, and reordering a past order.

Every line is checked on its own: an unknown SKU, a product the company may not see (reported
exactly like an unknown one, so nothing hidden is confirmed), a bad quantity or one the product is
not sold in — each is reported with its line number; the good lines go into the cart.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Company, Product, SalesOrder
from portal.services import cart, order_quantities
from portal.services.actor import Actor
from portal.services.errors import RuleError

#: at most this many lines in one paste or file
MAX_LINES = 500
MAX_FILE_BYTES = 256 * 1024
_SPLIT = re.compile(r"[\s,;\t]+")
_HEADER_WORDS = {"sku", "code", "product", "item", "article"}


class QuickOrderError(RuleError):
    """The paste or file as a whole cannot be read."""


@dataclass(frozen=True)
class Request:
    line_no: int
    sku: str
    quantity_text: str


@dataclass
class Outcome:
    added: list[tuple[Product, Decimal]] = field(default_factory=list)
    #: (line number or None, what was wrong)
    problems: list[tuple[int | None, str]] = field(default_factory=list)


def parse_text(text: str) -> list[Request]:
    """One "SKU quantity" per line (space, tab, comma or semicolon between); blank lines skipped."""
    requests = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        parts = [p for p in _SPLIT.split(raw.strip()) if p]
        if not parts:
            continue
        requests.append(Request(number, parts[0], parts[1] if len(parts) > 1 else ""))
    return _limited(requests)


def parse_csv(data: bytes) -> list[Request]:
    """A CSV file with the SKU in the first column and the quantity in the second (a header row is skipped)."""
    if len(data) > MAX_FILE_BYTES:
        raise QuickOrderError(_("The file is larger than %(size)s KB. Split it into smaller files.",
                                size=MAX_FILE_BYTES // 1024))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QuickOrderError(_("The file is not a text (CSV) file in UTF-8. Save it as CSV and try again.")) from None
    dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        pass
    requests = []
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() in _HEADER_WORDS:
            continue
        requests.append(Request(number, cells[0], cells[1] if len(cells) > 1 else ""))
    return _limited(requests)


def _limited(requests: list[Request]) -> list[Request]:
    if not requests:
        raise QuickOrderError(_("Enter at least one line: a SKU and a quantity, e.g. “BOLT-M8 100”."))
    if len(requests) > MAX_LINES:
        raise QuickOrderError(_("At most %(count)s lines at once, please.", count=MAX_LINES))
    return requests


def add_to_cart(actor: Actor, company: Company, requests: list[Request]) -> Outcome:
    """Add every good line to the cart; report the others. A fixed number of queries, whatever the lines."""
    skus = {r.sku.upper() for r in requests}
    found = db.session.execute(select(Product.id, func.upper(Product.sku)).where(func.upper(Product.sku).in_(skus)))
    ids_by_sku = {sku: pid for pid, sku in found}
    visible = cart.visible_products(company, ids_by_sku.values())
    outcome, wanted, numbers = Outcome(), [], []
    for request in requests:
        product = visible.get(ids_by_sku.get(request.sku.upper(), -1))
        if product is None:
            outcome.problems.append((request.line_no, _("“%(sku)s”: no product with this SKU.", sku=request.sku[:40])))
            continue
        try:
            quantity = order_quantities.parse(request.quantity_text or "")
        except RuleError as error:
            outcome.problems.append((request.line_no, f"{product.sku}: {error}"))
            continue
        wanted.append((product, quantity))
        numbers.append(request.line_no)
    _add(actor, company, wanted, numbers, outcome, "quick_order")
    outcome.problems.sort(key=lambda p: p[0] or 0)
    return outcome


def reorder(actor: Actor, company: Company, order: SalesOrder) -> Outcome:
    """Put a past order's products back in the cart at today's prices; report what cannot be ordered."""
    visible = cart.visible_products(company, [line.product_id for line in order.lines if line.product_id])
    outcome, wanted = Outcome(), []
    for line in order.lines:
        product = visible.get(line.product_id) if line.product_id is not None else None
        if product is None:
            outcome.problems.append((None, _("%(item)s: no longer available.", item=line.description)))
        else:
            wanted.append((product, Decimal(line.quantity)))
    _add(actor, company, wanted, [None] * len(wanted), outcome, f"reorder {order.number}")
    return outcome


def _add(actor: Actor, company: Company, wanted: list[tuple[Product, Decimal]], numbers: list[int | None],
         outcome: Outcome, source: str) -> None:
    if not wanted:
        return
    for (product, quantity), line_no, problem in zip(
            wanted, numbers, cart.add_many(actor, company, wanted, source=source), strict=True):
        if problem:
            outcome.problems.append((line_no, f"{product.sku}: {problem}"))
        else:
            outcome.added.append((product, quantity))
