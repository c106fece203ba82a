"""A search's ranked matches are kept per search revision and catalog revision (catalog_matches): a kept
search is read without ranking again, yet every write that changes what it finds shows on the next search,
whoever makes the write, and no viewer is shown what only another may see."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from portal.extensions import db
from portal.models import Product, ProductVisibility
from portal.services import catalog, catalog_matches
from portal.services.visibility import Viewer


@pytest.fixture
def shop(make):
    tier = make.tier("STD", "Standard", is_default=True)
    trade = make.tier("TRADE", "Trade")
    screws, tools = make.category("Screws"), make.category("Tools")
    company = make.company(price_tier_id=trade.id)
    stranger = make.company(price_tier_id=tier.id)
    products = [make.product(name=f"Wood screw {n:02d}", category=screws) for n in range(30)]
    products.append(make.product(name="Screwdriver", category=tools, description="for every screw"))
    products.append(make.product(name="Hammer", category=tools, description="nails"))
    db.session.commit()
    return {"screws": screws, "tools": tools, "company": company, "stranger": stranger, "trade": trade,
            "products": products}


def search(viewer: Viewer, words: str, **query) -> tuple[list[str], int]:
    tree = catalog.category_tree(viewer)
    page = catalog.find_products(viewer, catalog.CatalogQuery(search=words, per_page=48, **query), tree, None, False)
    return [row.product.name for row in page.rows], page.total


def ranks(statements: list[str]) -> bool:
    """Whether a search's matches were looked up in the full-text index (not read from a kept search)."""
    return any("product_search MATCH" in s or "@@" in s for s in statements)


def test_a_kept_search_is_not_ranked_again_and_finds_the_same(shop, count_queries):
    viewer = Viewer.of(shop["company"])
    with count_queries() as first:
        found = search(viewer, "screw")
    with count_queries() as again:
        assert search(viewer, "screw") == found
    assert found[1] == 31 and sorted(found[0]) == ["Screwdriver"] + [f"Wood screw {n:02d}" for n in range(30)]
    assert ranks(first.statements) and not ranks(again.statements)
    assert again.count < first.count


def test_a_typo_is_mended_once_and_kept(shop, count_queries):
    viewer = Viewer.of(shop["company"])
    assert search(viewer, "scerw")[1] == 31
    with count_queries() as again:
        assert search(viewer, "scerw")[1] == 31
    assert not any("vocab" in s or "product_search_word" in s for s in again.statements)


@pytest.mark.parametrize("change, expected_total, present, absent", [
    ("rename a product into the search", 32, "Hammer screw", None),
    ("rename a product out of the search", 30, None, "Wood screw 00"),
    ("add a product", 32, "New screw", None),
    ("delete a product", 30, None, "Wood screw 00"),
    ("hide a product", 30, None, "Wood screw 00"),
    ("restrict a product to another company", 30, None, "Wood screw 00"),
    ("restrict a product to this company's tier", 31, "Wood screw 00", None),
    ("change a description by raw SQL", 32, "Hammer", None),
])
def test_every_change_shows_on_the_next_search(shop, make, change, expected_total, present, absent):
    viewer = Viewer.of(shop["company"])
    assert search(viewer, "screw")[1] == 31  # kept
    first, hammer = shop["products"][0], shop["products"][-1]
    if change == "rename a product into the search":
        hammer.name = "Hammer screw"
    elif change == "rename a product out of the search":
        first.name = "Wood nail"
    elif change == "add a product":
        make.product(name="New screw", category=shop["tools"])
    elif change == "delete a product":
        db.session.delete(first)
    elif change == "hide a product":
        first.visibility = ProductVisibility.hidden
    elif change == "restrict a product to another company":
        first.visibility = ProductVisibility.restricted
        first.visible_to_companies.append(shop["stranger"])
    elif change == "restrict a product to this company's tier":
        first.visibility = ProductVisibility.restricted
        first.visible_to_tiers.append(shop["trade"])
    else:
        db.session.execute(text("UPDATE product SET description = 'hits a screw' WHERE id = :id"), {"id": hammer.id})
    db.session.commit()
    names, total = search(viewer, "screw")
    assert total == expected_total == len(names)
    assert present is None or present in names
    assert absent is None or absent not in names


@pytest.mark.parametrize("first_viewer", ["company", "stranger", "guest"])
def test_a_kept_search_shows_each_viewer_only_what_it_may_see(shop, first_viewer):
    listed = shop["products"][0]
    listed.visibility = ProductVisibility.restricted
    listed.visible_to_companies.append(shop["company"])
    shop["products"][1].guest_visible = False
    db.session.commit()
    viewers = {"company": Viewer.of(shop["company"]), "stranger": Viewer.of(shop["stranger"]), "guest": Viewer.guest()}
    search(viewers[first_viewer], "screw")  # whoever searches first, the search is kept for all
    for _ in range(2):  # then what each viewer may not see is kept with it too
        company, stranger, guest = (search(viewers[v], "screw") for v in ("company", "stranger", "guest"))
        assert "Wood screw 00" in company[0] and company[1] == 31
        assert "Wood screw 00" not in stranger[0] and stranger[1] == 30 and "Wood screw 01" in stranger[0]
        assert "Wood screw 00" not in guest[0] and "Wood screw 01" not in guest[0] and guest[1] == 29


def test_a_viewer_searching_again_reads_only_the_page(shop, count_queries):
    listed = shop["products"][0]
    listed.visibility = ProductVisibility.restricted
    listed.visible_to_companies.append(shop["company"])
    db.session.commit()
    viewer = Viewer.of(shop["company"])
    search(viewer, "screw")
    with count_queries() as again:
        assert search(viewer, "screw")[1] == 31
    # the revisions (with the tree), then the page's cards: nothing about the matches or who may see them
    assert again.count == 2, again.statements


def test_pages_and_categories_of_a_kept_search(shop):
    viewer = Viewer.of(shop["company"])
    tree = catalog.category_tree(viewer)
    seen = []
    for page_number in (1, 2, 1, 2):  # the second round reads the kept search
        query = catalog.CatalogQuery(search="screw", per_page=24, page=page_number)
        page = catalog.find_products(viewer, query, tree, None, False)
        seen.append([row.product.name for row in page.rows])
        assert page.total == 31
    assert seen[0] == seen[2] and seen[1] == seen[3]
    assert len(seen[0]) == 24 and len(seen[1]) == 7 and not set(seen[0]) & set(seen[1])
    assert search(viewer, "screw", category_id=shop["tools"].id) == (["Screwdriver"], 1)
    assert search(viewer, "screw", category_id=shop["screws"].id)[1] == 30


def test_a_kept_broad_search_is_listed_by_name_and_narrowed_by_category(shop, monkeypatch):
    monkeypatch.setattr(catalog_matches, "BROAD", 5)
    viewer = Viewer.of(shop["company"])
    for _ in range(2):  # found, then kept
        names, total = search(viewer, "screw")
        assert total == 31 and names == sorted(names)
        # the Tools category narrows it to one product: ranked again, not listed by name
        assert search(viewer, "screw", category_id=shop["tools"].id) == (["Screwdriver"], 1)


def test_kept_searches_stay_within_their_budget(shop, monkeypatch):
    monkeypatch.setattr(catalog_matches, "KEPT_IDS", 40)
    catalog_matches.forget_all()
    viewer = Viewer.of(shop["company"])
    search(viewer, "screw")  # 31 matches
    search(viewer, "wood")  # 30 more: the older search is dropped
    assert len(catalog_matches._kept) == 1 and catalog_matches._kept_ids == 30
    catalog_matches.forget_all()


def test_searches_that_find_nothing_are_kept_in_bounded_number(shop, monkeypatch):
    monkeypatch.setattr(catalog_matches, "KEPT_SEARCHES", 3)
    catalog_matches.forget_all()
    viewer = Viewer.of(shop["company"])
    for n in range(10):  # anyone may type anything
        assert search(viewer, f"nothingmatches{n}") == ([], 0)
    assert len(catalog_matches._kept) == 3 and catalog_matches._kept_ids == 0
    catalog_matches.forget_all()


def test_the_search_revision_follows_only_the_words(shop):
    def token() -> str:
        return db.session.execute(text("SELECT token FROM search_revision")).scalar_one()

    before = token()
    shop["products"][0].category = shop["tools"]
    shop["products"][0].visibility = ProductVisibility.hidden
    db.session.commit()
    assert token() == before
    for change in ("name", "sku", "description"):
        setattr(shop["products"][1], change, f"changed {change}")
        db.session.commit()
        assert token() != before
        before = token()
    db.session.add(Product(sku="NEW-1", name="New"))
    db.session.commit()
    assert token() != before
