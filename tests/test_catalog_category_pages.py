"""A category's pages list the same products in the same order whichever way the engine is asked to
find them: along the name index (a large category) or through the category index (a small one)."""
from __future__ import annotations

import pytest

from portal.extensions import db
from portal.services import catalog
from portal.services.visibility import Viewer
from tests.catalog_pages import every_page


@pytest.fixture
def shop(make):
    make.tier("STD", "Standard", is_default=True)
    big, small, top = make.category("Big"), make.category("Small"), make.category("Top")
    big.parent = top
    company = make.company()
    names = ["Anchor", "bolt", "Chisel", "drill", "Ebony", "Anchor"]  # mixed case and a twin name
    for n in range(40):
        make.product(name=f"{names[n % len(names)]} {n % 7}", category=big)
    for n in range(3):
        make.product(name=f"Anchor {n}", category=small)
    db.session.commit()
    return {"big": big, "small": small, "top": top, "viewer": Viewer.of(company)}


def listing(shop, category, per_page: int, walk: bool | None, monkeypatch) -> list[list[str]]:
    if walk is not None:
        monkeypatch.setattr(catalog, "_walk_names", lambda tree, query: walk)
    return every_page(shop["viewer"], category_id=category.id, per_page=per_page)


@pytest.mark.parametrize("category", ["big", "small", "top"])
def test_both_ways_give_the_same_pages(shop, monkeypatch, category):
    along_names = listing(shop, shop[category], 24, True, monkeypatch)
    by_category = listing(shop, shop[category], 24, False, monkeypatch)
    assert along_names == by_category
    expected = 40 if category != "small" else 3
    assert sum(len(p) for p in along_names) == expected
    assert len({sku for p in along_names for sku in p}) == expected


def test_a_large_category_walks_the_names_and_a_small_one_does_not(shop):
    tree = catalog.category_tree(shop["viewer"])
    first = catalog.CatalogQuery(category_id=shop["big"].id, per_page=24)
    assert catalog._walk_names(tree, first)
    assert not catalog._walk_names(tree, catalog.CatalogQuery(category_id=shop["small"].id, per_page=24))
    # deep pages of a large category cost more along the names: there the category index is used
    assert not catalog._walk_names(tree, catalog.CatalogQuery(category_id=shop["big"].id, page=40, per_page=24))
