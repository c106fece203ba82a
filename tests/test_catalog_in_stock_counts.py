""""In stock only": the total a page shows is kept per catalog and stock revision, never stale — every kind
of stock change (the ORM, raw SQL, a stock level removed), listing a restricted product for a company,
and a visitor who may see fewer products, each on the very next page."""
from __future__ import annotations

import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import text

from portal import settings
from portal.models import ProductVisibility, product_company_visibility


@pytest.fixture
def shop(make):
    tier = make.tier("STD", "Standard", is_default=True)
    make.tier("GUEST", "Guest")
    fasteners, screws, tools = make.category("Fasteners"), make.category("Screws"), make.category("Tools")
    screws.parent = fasteners
    make.db.session.commit()
    company, other = make.company(name="Acme Hardware"), make.company(name="Other Ltd")
    products = {
        "wood": make.product(name="Wood screw 4x40", category=screws),
        "machine": make.product(name="Machine screw M4", category=screws),
        "hook": make.product(name="Wall hook", category=fasteners),
        "drill": make.product(name="Cordless drill", category=tools),
        "saw": make.product(name="Members-only saw", category=tools, guest_visible=False),
        "hidden": make.product(name="Discontinued rivet", category=screws, visibility=ProductVisibility.hidden),
        "secret": make.product(name="Private label anchor", category=fasteners,
                               visibility=ProductVisibility.restricted),
    }
    return {"tier": tier, "company": company, "other": other, "fasteners": fasteners, "screws": screws,
            "tools": tools, **products}


def in_stock(client, category=None) -> tuple[int, list[str]]:
    """The total the page says, and the names it lists (all on one page here)."""
    url = "/shop/?in_stock=1&per_page=96" + (f"&category={category.id}" if category is not None else "")
    res = client.get(url)
    heading = " ".join(res.html.select_one("#results-heading").text.split())
    total = int(re.match(r"(\d+) products?", heading).group(1)) if heading[0].isdigit() else 0
    return total, sorted(a.text.strip() for a in res.html.select(".product-name a"))


def test_the_total_follows_every_change_of_stock_on_the_next_page(testapp, login, make, shop, db):
    login(testapp, make.contact(shop["company"], role="Buyer"))
    total, names = in_stock(testapp)
    assert total == len(names) == 5  # hidden and the unlisted restricted product are not counted
    assert in_stock(testapp, shop["fasteners"])[0] == 3 and in_stock(testapp, shop["tools"])[0] == 2

    shop["drill"].stock.reserved = Decimal(100)  # all of it reserved (an order): not available
    db.session.commit()
    assert in_stock(testapp) == (4, ["Machine screw M4", "Members-only saw", "Wall hook", "Wood screw 4x40"])
    assert in_stock(testapp, shop["tools"]) == (1, ["Members-only saw"])

    db.session.execute(text("UPDATE stock_level SET on_hand = 0 WHERE product_id = :id"), {"id": shop["wood"].id})
    db.session.commit()
    assert in_stock(testapp, shop["screws"]) == (1, ["Machine screw M4"])
    assert in_stock(testapp, shop["fasteners"]) == (2, ["Machine screw M4", "Wall hook"])

    db.session.execute(text("DELETE FROM stock_level WHERE product_id = :id"), {"id": shop["hook"].id})
    db.session.commit()
    assert in_stock(testapp, shop["fasteners"]) == (1, ["Machine screw M4"])

    db.session.execute(text("UPDATE stock_level SET on_hand = 7 WHERE product_id = :id"), {"id": shop["wood"].id})
    db.session.commit()
    assert in_stock(testapp) == (3, ["Machine screw M4", "Members-only saw", "Wood screw 4x40"])


def test_a_restricted_product_counts_only_for_the_company_it_is_listed_for(testapp, login, make, shop, db):
    db.session.execute(product_company_visibility.insert().values(product_id=shop["secret"].id,
                                                                  company_id=shop["company"].id))
    db.session.commit()
    login(testapp, make.contact(shop["company"], role="Buyer"))
    assert in_stock(testapp, shop["fasteners"]) == (4, ["Machine screw M4", "Private label anchor", "Wall hook",
                                                         "Wood screw 4x40"])
    shop["secret"].stock.on_hand = Decimal(0)
    db.session.commit()
    assert in_stock(testapp, shop["fasteners"])[0] == 3

    testapp.reset()
    login(testapp, make.contact(shop["other"], role="Buyer"))
    shop["secret"].stock.on_hand = Decimal(5)
    db.session.commit()
    assert in_stock(testapp, shop["fasteners"]) == (3, ["Machine screw M4", "Wall hook", "Wood screw 4x40"])


def test_a_visitor_counts_only_what_guests_may_see(testapp, shop):
    settings.save({"features.guest_catalog": True, "guest_catalog.price_tier": "GUEST"})
    assert in_stock(testapp, shop["tools"]) == (1, ["Cordless drill"])  # not the members-only saw
    assert in_stock(testapp)[0] == 4


def test_the_shared_counts_are_read_once_per_stock_revision(testapp, login, make, shop, db, count_queries):
    login(testapp, make.contact(shop["company"], role="Buyer"))
    in_stock(testapp)
    with count_queries() as first:
        in_stock(testapp)
    shop["drill"].stock.on_hand = Decimal(3)  # still in stock, but the revision moved: counted again
    db.session.commit()
    with count_queries() as after_change:
        assert in_stock(testapp)[0] == 5
    assert after_change.count == first.count + 1


def test_two_transactions_writing_the_same_stock_in_opposite_orders_both_commit(app, committed_db, make):
    """The stock revision's row is taken before any stock level (PostgreSQL: the trigger runs before each
    statement), so a transaction never holds it while waiting for a stock level another holds — as a
    rejected order giving stock back while a checkout reserves it would. SQLite runs one writer at a time."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("PostgreSQL run only: set DATABASE_URL=postgresql://... (CI does)")
    first, second = make.product(on_hand="10").id, make.product(on_hand="10").id
    committed_db.session.commit()
    engine = committed_db.engine
    reserve = text("UPDATE stock_level SET reserved = reserved + 1 WHERE product_id = :id")

    def write(one: int, other: int, wait: float) -> None:
        time.sleep(wait)
        with engine.begin() as conn:
            conn.execute(reserve, {"id": one})
            time.sleep(0.5)  # the other transaction starts meanwhile, with the other stock level
            conn.execute(reserve, {"id": other})

    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [pool.submit(write, first, second, 0), pool.submit(write, second, first, 0.2)]
        for job in jobs:
            job.result(timeout=30)  # a deadlock would refuse one of them here
    with engine.connect() as conn:
        reserved = conn.execute(text("SELECT reserved FROM stock_level WHERE product_id IN (:a, :b)"),
                                {"a": first, "b": second}).scalars().all()
    assert reserved == [Decimal(2), Decimal(2)]
