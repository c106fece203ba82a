"""Generate a large catalog for the catalog benchmark (issue 8 item 13). Not run by pytest.

Usage:
    .venv/bin/python bench/generate_catalog.py --products 50000 [--database-url URL] [--companies 1000]

Into an empty database (schema from the migrations, so the search index and its triggers are there):
four price tiers, nested categories (12 top, 8 below each, 4 below those), ``--products`` products in
product lines of about 40 sizes each (``product_lines``), priced in every tier, with stock (some
incoming), quantity breaks on one product in ten, promotions (categories, products, one for
everything), ``--companies`` customer companies spread over the tiers with contract prices for
``--contract-share`` of the products each, and one customer contact to sign in with
(bench@example.com / bench-password) whose cart holds 12 products. Deterministic (random seed 13).

At 200k products and 1,000 companies the default 5% share is 10 million contract prices: expect
minutes and a few GB on disk; ``--contract-share 0.005`` keeps it to one million.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from portal import create_app, schema
from portal.extensions import db
from portal.models import (
    Category,
    Company,
    ContractPrice,
    Membership,
    PriceBreak,
    PriceTier,
    Product,
    ProductPrice,
    Promotion,
    Role,
    StockLevel,
    User,
    UserKind,
)
from portal.services import cart, clock
from portal.services.actor import Actor
from portal.services.bootstrap import seed_reference_data

EMAIL, PASSWORD = "bench@example.com", "bench-password"
TIERS = (("STD", "Standard", Decimal("1.00"), True), ("TRADE", "Trade", Decimal("0.90"), False),
         ("WHOLESALE", "Wholesale", Decimal("0.80"), False), ("GUEST", "Guest", Decimal("1.15"), False))
NOUNS = ("screw", "bolt", "nut", "washer", "anchor", "drill", "chisel", "saw", "hammer", "glove", "mask", "tape",
         "sealant", "cleaner", "level", "clamp", "hinge", "bracket", "rivet", "blade", "brush", "ladder", "helmet")
ADJECTIVES = ("zinc plated", "stainless", "galvanised", "hardened", "heavy duty", "compact", "cordless",
              "adjustable", "coated", "industrial", "brass", "nylon", "steel", "aluminium")
#: products per product line (a line is one adjective and noun, e.g. "zinc plated screw", in many sizes)
LINE_SIZE = 40
#: lines in the bench customer's cart
CART_LINES = 12
CHUNK = 5000


def chunks(rows, size=CHUNK):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk(model, rows) -> int:
    n = 0
    for batch in chunks(rows):
        db.session.execute(insert(model), batch)
        n += len(batch)
    db.session.commit()
    return n


def categories(rng) -> list[int]:
    """12 × 8 × 4 nested categories; returns the ids of the leaves."""
    leaves = []
    for a in range(12):
        top = Category(name=f"Range {a + 1}", slug=f"range-{a + 1}", position=a)
        db.session.add(top)
        for b in range(8):
            mid = Category(name=f"Range {a + 1}.{b + 1}", slug=f"range-{a + 1}-{b + 1}", parent=top, position=b)
            db.session.add(mid)
            for c in range(4):
                leaf = Category(name=f"Range {a + 1}.{b + 1}.{c + 1}", slug=f"range-{a + 1}-{b + 1}-{c + 1}",
                                parent=mid, position=c)
                db.session.add(leaf)
                leaves.append(leaf)
    db.session.flush()
    return [leaf.id for leaf in leaves]


def product_lines(rng, products: int) -> list[tuple[str, str]]:
    """The (adjective, noun) product lines the products are spread over: about one per ``LINE_SIZE``
    products, at most every pair (322), as a shop sells a line in many sizes. The first is always "zinc
    plated screw", the benchmark's two-word search, so that search shows a full page of ranked matches
    at every catalog size (at 1k about 40; at 200k, all 322 lines, about 620)."""
    pairs = [(adjective, noun) for adjective in ADJECTIVES for noun in NOUNS]
    first = ("zinc plated", "screw")
    others = [pair for pair in pairs if pair != first]
    rng.shuffle(others)
    return [first, *others][:max(1, min(len(pairs), products // LINE_SIZE))]


def generate(products: int, companies: int, contract_share: float) -> None:
    rng = random.Random(13)
    started = time.monotonic()
    seed_reference_data()
    tiers = {}
    for code, name, factor, default in TIERS:
        tier = db.session.execute(select(PriceTier).filter_by(is_default=True)).scalar_one_or_none() if default else None
        if tier is None:
            tier = PriceTier(code=code, name=name, is_default=default)
            db.session.add(tier)
        tier.code, tier.name = code, name
        tiers[code] = (tier, factor)
    leaves = categories(rng)
    db.session.commit()
    today = clock.today()
    now = clock.now()

    lines = product_lines(rng, products)

    def product_rows():
        for n in range(products):
            adjective, noun = rng.choice(lines)
            row = {"sku": f"B-{n:07d}", "name": f"{adjective.capitalize()} {noun} {rng.randint(2, 120)} mm",
                   "description": f"{adjective} {noun} for trade use, model {n % 997}",
                   "category_id": rng.choice(leaves), "unit": "pcs", "visibility": "all", "guest_visible": True,
                   "min_order_qty": Decimal(1), "order_increment": Decimal(1), "pack_size": Decimal(1),
                   "tax_rate": Decimal("21.00"), "created_dt": now - timedelta(minutes=n)}
            yield row

    bulk(Product, product_rows())
    ids = list(db.session.execute(select(Product.id).order_by(Product.id)).scalars())
    print(f"{len(ids)} products in {time.monotonic() - started:.0f} s", flush=True)
    base = {pid: Decimal(rng.randint(20, 50000)) / 100 for pid in ids}
    bulk(ProductPrice, ({"product_id": pid, "tier_id": tier.id, "price": (base[pid] * factor).quantize(Decimal("0.01")),
                         "currency": "EUR"} for pid in ids for tier, factor in tiers.values()))
    bulk(StockLevel, ({"product_id": pid, "on_hand": Decimal(rng.choice((0, 0, 5, 40, 300))),
                       "reserved": Decimal(0), "incoming": Decimal(rng.choice((0, 0, 0, 100))),
                       "incoming_date": today + timedelta(days=rng.randint(2, 30)), "low_stock_threshold": Decimal(5)}
                      for pid in ids))
    bulk(PriceBreak, ({"product_id": pid, "tier_id": None, "min_qty": Decimal(q),
                       "price": (base[pid] * f).quantize(Decimal("0.01")), "currency": "EUR"}
                      for pid in ids[::10] for q, f in ((10, Decimal("0.95")), (50, Decimal("0.90")))))
    promos = [{"name": "Everything 2% off", "discount_percent": Decimal(2), "is_active": True}]
    promos += [{"name": f"Range deal {c}", "category_id": c, "discount_percent": Decimal(10), "is_active": True,
                "starts_on": today - timedelta(days=5), "ends_on": today + timedelta(days=20)}
               for c in rng.sample(leaves, 10)]
    promos += [{"name": f"Product deal {p}", "product_id": p, "discount_percent": Decimal(15), "is_active": True}
               for p in rng.sample(ids, min(50, len(ids)))]
    bulk(Promotion, promos)
    tier_cycle = [t.id for t, _ in list(tiers.values())[:3]]
    bulk(Company, ({"code": f"BC-{n:05d}", "name": f"Bench Customer {n}", "is_customer": True, "is_supplier": False,
                    "portal_access": True, "currency": "EUR", "credit_limit": Decimal(10000),
                    "payment_terms_days": 30, "discount_percent": Decimal(0), "price_tier_id": tier_cycle[n % 3]}
                   for n in range(companies)))
    company_ids = list(db.session.execute(select(Company.id).where(Company.code.like("BC-%"))).scalars())
    per_company = max(int(len(ids) * contract_share), 1)
    contracts = bulk(ContractPrice, ({"company_id": cid, "product_id": pid, "currency": "EUR",
                                      "price": (base[pid] * Decimal("0.75")).quantize(Decimal("0.01"))}
                                     for cid in company_ids for pid in rng.sample(ids, per_company)))
    user = User(email=EMAIL, name="Bench Buyer", kind=UserKind.contact, portal_access=True)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    buyer = db.session.execute(select(Role).filter_by(name="Buyer")).scalar_one()
    db.session.add(Membership(user_id=user.id, company_id=company_ids[0], role_id=buyer.id))
    db.session.commit()
    # the cart page is loaded with CART_LINES lines in it, added as the shop adds them (priced, audited)
    company = db.session.get(Company, company_ids[0])
    for pid in rng.sample(ids, min(CART_LINES, len(ids))):
        cart.add(Actor.of(user), company, pid, Decimal(rng.choice((1, 2, 5, 10, 25))))
    db.session.commit()
    print(f"done in {time.monotonic() - started:.0f} s: {len(ids)} products, {len(company_ids)} companies, "
          f"{contracts} contract prices; sign in as {EMAIL} / {PASSWORD}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=1000, help="1000, 50000 or 200000")
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--contract-share", type=float, default=0.05)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="default: instance/bench-catalog.db")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(__file__).resolve().parent.parent / 'instance' / 'bench-catalog.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "DATABASE_STATEMENT_TIMEOUT": 0})
    with app.app_context():
        schema.upgrade()
        if db.session.execute(select(func.count(Product.id))).scalar_one():
            raise SystemExit("the database already holds products: give an empty one")
        generate(args.products, args.companies, args.contract_share)


if __name__ == "__main__":
    main()
