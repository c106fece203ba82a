"""Sorted by price, a large list is looked for among each tier's cheapest products (the (tier, price)
index) instead of ordering every product: every page is the same either way — for a customer whose tier
prices only some products (the default tier's price counts for the rest), a customer of the default
tier and a visitor; with ties, products without a price, hidden and restricted products, the stock
filter and categories — and the cheap way is really taken where it can answer."""
from __future__ import annotations

import random
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.models import ProductPrice, ProductVisibility, product_company_visibility
from portal.services import catalog, catalog_price_order
from portal.services.visibility import Viewer
from tests.catalog_pages import every_page


@pytest.fixture
def shop(make):
    rng = random.Random(7)
    default, trade = make.tier("STD", "Standard", is_default=True), make.tier("TRADE", "Trade")
    guest = make.tier("GUEST", "Guest")
    top, left, right = make.category("Top"), make.category("Left"), make.category("Right")
    left.parent = right.parent = top
    trade_company, standard_company = make.company(price_tier_id=trade.id), make.company(price_tier_id=default.id)
    db.session.commit()
    for n in range(300):
        kind = rng.random()
        visibility = (ProductVisibility.hidden if kind < 0.05 else
                      ProductVisibility.restricted if kind < 0.12 else ProductVisibility.all)
        product = make.product(name=f"Part {rng.randint(1, 40):02d}", price=f"{rng.choice([1, 2, 2, 3, 5, 8])}.00",
                               on_hand=rng.choice(["0", "5", "5"]), category=rng.choice([left, right, top]),
                               visibility=visibility, guest_visible=rng.random() > 0.2)
        if product.prices and rng.random() < 0.1:  # no price at all: listed last
            db.session.delete(product.prices[0])
        elif rng.random() < 0.6:
            db.session.add(ProductPrice(product_id=product.id, tier_id=trade.id, price=Decimal(rng.choice([1, 4, 4, 9])),
                                        currency="EUR"))
        if rng.random() < 0.5:
            db.session.add(ProductPrice(product_id=product.id, tier_id=guest.id, price=Decimal(rng.randint(1, 6)),
                                        currency="EUR"))
        if visibility == ProductVisibility.restricted and rng.random() < 0.5:
            db.session.execute(product_company_visibility.insert().values(product_id=product.id,
                                                                          company_id=trade_company.id))
    db.session.commit()
    return {"top": top, "left": left, "viewers": {
        "trade customer": (Viewer.of(trade_company), trade.id), "standard customer": (Viewer.of(standard_company),
                                                                                   default.id),
        "visitor": (Viewer.guest(), guest.id)}}


def pages(viewer, tier_id, **asked) -> list[list[str]]:
    return every_page(viewer, tier_id, True, sort="price", per_page=10, **asked)


@pytest.mark.parametrize("who", ["trade customer", "standard customer", "visitor"])
def test_every_page_is_the_same_either_way(shop, monkeypatch, who):
    viewer, tier_id = shop["viewers"][who]
    real = catalog._cheapest_page
    for asked, filters in {"all": {}, "in stock": {"in_stock": True}, "category": {"category_id": shop["top"].id},
                           "subcategory in stock": {"category_id": shop["left"].id, "in_stock": True}}.items():
        monkeypatch.setattr(catalog_price_order, "SMALLEST_LIST", 10 ** 9)
        ordered_all = pages(viewer, tier_id, **filters)

        answered = []

        def spy(*args, answered=answered):
            found = real(*args)
            answered.append(found is not None)
            return found

        monkeypatch.setattr(catalog_price_order, "SMALLEST_LIST", 0)
        monkeypatch.setattr(catalog, "_cheapest_page", spy)
        monkeypatch.setattr(catalog_price_order, "LIST_PER_WINDOW", 0)  # try it even where ordering all is cheaper
        monkeypatch.setattr(catalog_price_order, "MARGIN", 1)  # small windows: some pages fall back
        cheapest_first = pages(viewer, tier_id, **filters)
        monkeypatch.undo()

        assert cheapest_first == ordered_all, asked
        listed = [sku for page in ordered_all for sku in page]
        assert len(listed) == len(set(listed)) > 10, asked
        if asked != "subcategory in stock":  # a narrow list: its pages may all need ordering everything
            assert any(answered), f"{asked}: the cheapest products never answered a page"
        if asked == "all":
            assert not all(answered), "no page fell back to ordering every product"


def test_a_narrow_list_orders_everything_and_a_broad_one_starts_from_the_cheapest():
    assert catalog_price_order.window(24, 200_000, 200_000) == 24 * catalog_price_order.MARGIN + 1
    assert catalog_price_order.window(24, 16_000, 200_000) is not None  # a top category
    assert catalog_price_order.window(24, 2_000, 200_000) is None  # a small category: order it all
    assert catalog_price_order.window(24 * 400, 200_000, 200_000) is not None  # page 400 of 8,334
    assert catalog_price_order.window(24 * 700, 200_000, 200_000) is None  # page 700: order it all
