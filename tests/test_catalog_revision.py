"""The category counts are kept per catalog revision: every write that changes what a viewer may list
changes the revision (database triggers, whoever writes), so the cached counts are never stale."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from portal.extensions import db
from portal.models import Product, ProductVisibility
from portal.services import catalog
from portal.services.visibility import Viewer


@pytest.fixture
def shop(make):
    tier = make.tier("STD", "Standard", is_default=True)
    trade = make.tier("TRADE", "Trade")
    top, leaf, other = make.category("Fasteners"), make.category("Screws"), make.category("Tools")
    leaf.parent = top
    company = make.company(price_tier_id=trade.id)
    stranger = make.company(price_tier_id=tier.id)
    products = [make.product(category=leaf) for _ in range(3)] + [make.product(category=other)]
    db.session.commit()
    return {"top": top, "leaf": leaf, "other": other, "company": company, "stranger": stranger,
            "trade": trade, "products": products}


def counts(viewer: Viewer) -> dict[str, int]:
    tree = catalog.category_tree(viewer)
    return {node.name: node.count for node in tree.nodes.values()} | {"total": tree.total}


def token() -> str:
    return db.session.execute(text("SELECT token FROM catalog_revision")).scalar_one()


def test_a_warm_tree_is_one_statement_and_the_same_counts(shop, count_queries):
    viewer = Viewer.of(shop["company"])
    first = counts(viewer)
    with count_queries() as counter:
        again = counts(viewer)
    assert again == first == {"Fasteners": 3, "Screws": 3, "Tools": 1, "total": 4}
    assert counter.count == 1


@pytest.mark.parametrize("change, expected", [
    ("add a product", {"Fasteners": 4, "Screws": 4, "Tools": 1, "total": 5}),
    ("hide a product", {"Fasteners": 2, "Screws": 2, "Tools": 1, "total": 3}),
    ("move a product", {"Fasteners": 2, "Screws": 2, "Tools": 2, "total": 4}),
    ("delete a product", {"Fasteners": 3, "Screws": 3, "Tools": 0, "total": 3}),
    ("move a category", {"Fasteners": 0, "Screws": 3, "Tools": 1, "total": 4}),
    ("restrict to another company", {"Fasteners": 2, "Screws": 2, "Tools": 1, "total": 3}),
    ("restrict to this company", {"Fasteners": 3, "Screws": 3, "Tools": 1, "total": 4}),
    ("restrict to this tier", {"Fasteners": 3, "Screws": 3, "Tools": 1, "total": 4}),
])
def test_every_change_shows_at_once(shop, make, change, expected):
    viewer = Viewer.of(shop["company"])
    counts(viewer)  # the cache is warm
    product = shop["products"][0]
    if change == "add a product":
        make.product(category=shop["leaf"])
    elif change == "hide a product":
        product.visibility = ProductVisibility.hidden
    elif change == "move a product":
        product.category = shop["other"]
    elif change == "delete a product":
        db.session.delete(shop["products"][3])
    elif change == "move a category":
        shop["leaf"].parent = None
    else:
        product.visibility = ProductVisibility.restricted
        if change == "restrict to another company":
            product.visible_to_companies.append(shop["stranger"])
        elif change == "restrict to this company":
            product.visible_to_companies.append(shop["company"])
        else:
            product.visible_to_tiers.append(shop["trade"])
    db.session.commit()
    assert counts(viewer) == expected


def test_raw_sql_writes_change_the_revision_too(shop):
    viewer = Viewer.of(shop["company"])
    assert counts(viewer)["Tools"] == 1
    before = token()
    db.session.execute(text("UPDATE product SET visibility = 'hidden' WHERE category_id = :c"), {"c": shop["other"].id})
    assert token() != before
    assert counts(viewer)["Tools"] == 0
    db.session.execute(text("UPDATE category SET name = 'Hand tools' WHERE id = :c"), {"c": shop["other"].id})
    assert "Hand tools" in counts(viewer)


def test_a_write_that_changes_nothing_listed_keeps_the_revision(shop):
    before = token()
    shop["products"][0].name = "Renamed"
    shop["products"][0].description = "new words"
    db.session.commit()
    assert token() == before


def test_restricted_products_count_only_for_whom_they_are_listed(shop, make):
    product = make.product(category=shop["other"], visibility=ProductVisibility.restricted)
    product.visible_to_companies.append(shop["company"])
    db.session.commit()
    assert counts(Viewer.of(shop["company"]))["Tools"] == 2
    assert counts(Viewer.of(shop["stranger"]))["Tools"] == 1
    assert counts(Viewer.guest())["Tools"] == 1


def test_guests_count_only_what_guests_see(shop):
    shop["products"][0].guest_visible = False
    db.session.commit()
    assert counts(Viewer.guest())["Screws"] == 2
    assert counts(Viewer.of(shop["company"]))["Screws"] == 3


def test_a_rolled_back_change_leaves_no_trace(shop, make):
    viewer = Viewer.of(shop["company"])
    assert counts(viewer)["Tools"] == 1
    savepoint = db.session.begin_nested()
    db.session.add(Product(sku="TEMP-1", name="Temporary", category=shop["other"]))
    db.session.flush()
    assert counts(viewer)["Tools"] == 2
    savepoint.rollback()
    assert counts(viewer)["Tools"] == 1
    make.product(category=shop["other"])
    make.product(category=shop["other"])
    assert counts(viewer)["Tools"] == 3
