"""A search matching very many products lists them by name (ranking thousands of near-equal matches costs
more than it tells) and says so; a narrower one keeps the best-match order. Either way the total counts
only what the viewer may see."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.models import Product, ProductVisibility
from portal.services import catalog, catalog_matches, catalog_search, visibility
from portal.services.visibility import Viewer, visible


@pytest.fixture
def shop(make, db, testapp, login):
    tier = make.tier("STD", "Standard", is_default=True)
    company = make.company(price_tier_id=tier.id)
    make.product(name="Zeta screw", description="screw screw screw screw")  # the best match by rank
    for name in ("Alpha screw", "Beta screw", "Gamma screw"):
        make.product(name=name, description="a long description of a wood working product and a screw")
    make.product(name="Aardvark screw", visibility=ProductVisibility.hidden)
    make.product(name="Hammer")
    db.session.commit()
    login(testapp, make.contact(company, role="Buyer"))
    return testapp


def names(page) -> list[str]:
    return [a.get_text(strip=True) for a in page.html.select(".product-name a")]


def test_a_narrow_search_keeps_the_best_match_order(shop):
    page = shop.get("/shop/?q=screw")
    assert names(page)[0] == "Zeta screw" and sorted(names(page)) == ["Alpha screw", "Beta screw", "Gamma screw",
                                                                       "Zeta screw"]
    assert "4 products" in page.html.select_one(".results-summary").text
    assert page.html.select_one("#broad-search") is None


def test_a_broad_search_lists_by_name_and_says_so(shop, monkeypatch):
    monkeypatch.setattr(catalog_matches, "BROAD", 3)
    page = shop.get("/shop/?q=screw")
    assert names(page) == ["Alpha screw", "Beta screw", "Gamma screw", "Zeta screw"]  # the hidden one is not there
    assert "4 products" in page.html.select_one(".results-summary").text
    assert "listed by name" in page.html.select_one("#broad-search").text
    # asked for by name on purpose, or another sort: no hint
    assert shop.get("/shop/?q=screw&sort=name").html.select_one("#broad-search") is None
    paged = shop.get("/shop/?q=screw&per_page=24&page=2")
    assert names(paged) == []


def test_the_count_of_a_search_is_what_each_viewer_may_see(make, db):
    tier = make.tier("STD", "Standard", is_default=True)
    trade = make.tier("TRADE", "Trade")
    mine, other = make.company(price_tier_id=trade.id), make.company(price_tier_id=tier.id)
    make.product(name="Open screw")
    make.product(name="Shop-only screw", guest_visible=False)
    make.product(name="Hidden screw", visibility=ProductVisibility.hidden)
    for_me = make.product(name="Listed screw", visibility=ProductVisibility.restricted)
    for_me.visible_to_companies.append(mine)
    for_tier = make.product(name="Trade screw", visibility=ProductVisibility.restricted)
    for_tier.visible_to_tiers.append(trade)
    make.product(name="Nobody's screw", visibility=ProductVisibility.restricted)
    db.session.commit()
    expected = {"mine": 4, "other": 2, "guest": 1}
    for who, viewer in {"mine": Viewer.of(mine), "other": Viewer.of(other), "guest": Viewer.guest()}.items():
        found = catalog_search.match(["screw"])
        brute = db.session.execute(visible(select(func.count()).select_from(Product), viewer)
                                    .where(Product.id.in_(found.ids))).scalar_one()
        statement = catalog._search_count_statement(db.engine.dialect.name, visibility.shape_of(viewer), None, False)
        params = {**visibility.params_of(viewer), catalog_search.WORDS_PARAM: catalog_search.expression(["screw"])}
        counted = db.session.execute(statement, params).scalar_one()
        assert counted == brute == expected[who], who
