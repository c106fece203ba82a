"""Issue 8 item 14: the catalog, search and product pages run a fixed, small number of SQL statements,
however many products, price rules and rows per page there are (customers and guests alike)."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from werkzeug.datastructures import FileStorage

from portal import settings
from portal.demo.pictures import png
from portal.models import ContractPrice, PriceBreak, Promotion
from portal.services import product_images

MAX_STATEMENTS = 8


def grow(make, world, count: int) -> None:
    """Add products with every kind of price rule: breaks, a contract price, promotions, pictures."""
    for n in range(count):
        product = make.product(name=f"Screw {len(world['products']):03d}", category=world["leaf"], price="1.00",
                               description="zinc plated wood screw")
        world["products"].append(product)
        make.db.session.add_all([
            PriceBreak(product_id=product.id, tier_id=world["tier"].id, min_qty=Decimal(10), price=Decimal("0.90")),
            PriceBreak(product_id=product.id, tier_id=None, min_qty=Decimal(50), price=Decimal("0.80")),
            ContractPrice(company_id=world["company"].id, product_id=product.id, price=Decimal("0.85")),
            Promotion(name=f"Deal {product.id}", product_id=product.id, discount_percent=Decimal(5)),
        ])
        if n % 3 == 0:
            product_images.add(product, FileStorage(io.BytesIO(png((255, 255, 255), (0, 0, 0), n)), "p.png"))
    make.db.session.add(Promotion(name="Category week", category_id=world["top"].id, discount_percent=Decimal(3)))
    make.db.session.commit()


@pytest.fixture
def world(make):
    tier = make.tier("STD", "Standard", is_default=True)
    make.tier("GUEST", "Guest")
    top, leaf = make.category("Fasteners"), make.category("Screws")
    leaf.parent = top
    company = make.company(price_tier_id=tier.id)
    make.db.session.commit()
    return {"tier": tier, "top": top, "leaf": leaf, "company": company, "products": []}


def statements(count_queries, client, url: str) -> int:
    with count_queries() as counter:
        res = client.get(url)
    assert res.status_int == 200, url
    return counter.count


def pages(world) -> dict[str, str]:
    first = world["products"][0].id
    return {"catalog": "/shop/?per_page={size}", "category": f"/shop/?category={world['top'].id}&per_page={{size}}",
            "search": "/shop/?q=screw&per_page={size}", "typo": "/shop/?q=scerw&per_page={size}",
            "sorted by price": "/shop/?sort=price&in_stock=1&per_page={size}",
            "product": f"/shop/product/{first}"}


@pytest.mark.parametrize("who", ["customer", "guest"])
def test_statement_counts_stay_constant_and_small(testapp, login, make, world, count_queries, who):
    if who == "customer":
        login(testapp, make.contact(world["company"], role="Buyer"))
    else:
        settings.save({"features.guest_catalog": True, "guest_catalog.price_tier": "GUEST"})
    grow(make, world, 3)
    small = {name: statements(count_queries, testapp, url.format(size=24)) for name, url in pages(world).items()}
    grow(make, world, 60)
    large = {name: statements(count_queries, testapp, url.format(size=96)) for name, url in pages(world).items()}
    print(who, small)
    assert large == small
    assert all(n <= MAX_STATEMENTS for n in small.values()), small
    assert small["typo"] == small["search"]
