"""Demo catalog: price tiers, categories, ~300 products with tier prices, stock, breaks and promotions."""
from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from portal.demo.catalog_data import CATALOG, DISCONTINUED, TIERS
from portal.demo.pictures import seed_pictures
from portal.demo.world import DemoWorld
from portal.extensions import db
from portal.models import Category, PriceBreak, PriceTier, Product, ProductPrice, Promotion, StockLevel
from portal.services.totals import to_cents

LOW_STOCK_THRESHOLD = Decimal(10)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _nickel(value: Decimal) -> Decimal:
    """Round a list price to 5 cents, as price lists usually are."""
    return (value * 20).quantize(Decimal(1)) / 20


def seed_tiers(world: DemoWorld) -> None:
    """The four tiers; the default tier created by init-db (if any) becomes Standard."""
    default = db.session.execute(select(PriceTier).where(PriceTier.is_default.is_(True))).scalars().first()
    for code, name, _factor, is_default in TIERS:
        tier = db.session.execute(select(PriceTier).filter_by(code=code)).scalar_one_or_none()
        if tier is None and is_default and default is not None:
            tier = default
        if tier is None:
            tier = PriceTier(code=code, name=name, is_default=is_default)
            db.session.add(tier)
        world.tiers[code] = tier
    db.session.flush()


def seed_catalog(world: DemoWorld) -> None:
    rng = world.rng
    leaves: dict[str, Category] = {}
    for top_position, (top_name, children) in enumerate(CATALOG):
        top = Category(name=top_name, slug=slugify(top_name), position=top_position)
        db.session.add(top)
        for position, (name, code, blurb, families) in enumerate(children):
            leaf = Category(name=name, slug=slugify(name), parent=top, position=position)
            leaves[code] = leaf
            number = 1000
            for family, unit, low, high, variants in families:
                for index, variant in enumerate(variants):
                    number += 1
                    step = (Decimal(high) - Decimal(low)) / max(len(variants) - 1, 1)
                    price = _nickel(Decimal(low) + step * index)
                    product = Product(
                        sku=f"{code}-{number}", name=f"{family}, {variant}", category=leaf, unit=unit,
                        description=f"{family}, {variant}. {blurb}",
                        min_order_qty=Decimal(12) if unit == "pair" and "gloves" in family else Decimal(1),
                        guest_visible=rng.random() > 0.04,
                    )
                    _price_in_every_tier(world, product, price)
                    product.stock = _stock(world)
                    world.products.append(product)
    for name, unit, price, code in DISCONTINUED:
        product = Product(sku=f"{code}-0{len(world.products)}", name=name, unit=unit, category=leaves[code],
                          description=f"{name}. Discontinued; shown on past orders only.", visibility="hidden",
                          guest_visible=False)
        _price_in_every_tier(world, product, Decimal(price))
        product.stock = StockLevel(on_hand=Decimal(0), low_stock_threshold=LOW_STOCK_THRESHOLD)
        world.products.append(product)
    db.session.add_all(world.products)
    db.session.flush()
    _price_breaks(world)
    _promotions(world, leaves["PPE"])
    _trade_only(world)
    seed_pictures(world)


def _trade_only(world: DemoWorld) -> None:
    """One product only customers in the Trade tier see (restricted visibility; never guests)."""
    product = next(p for p in world.products if p.visibility == "all" and p.name.startswith("Laser distance meter, 80 m"))
    product.visibility = "restricted"
    product.guest_visible = False
    product.visible_to_tiers.append(world.tiers["TRADE"])


def _price_in_every_tier(world: DemoWorld, product: Product, standard: Decimal) -> None:
    for code, _name, factor, _default in TIERS:
        product.prices.append(ProductPrice(tier=world.tiers[code], price=to_cents(standard * Decimal(factor)),
                                           currency="EUR"))


def _stock(world: DemoWorld) -> StockLevel:
    """Most items in stock, about one in ten low, about one in sixteen out with a delivery due."""
    rng = world.rng
    roll = rng.random()
    stock = StockLevel(low_stock_threshold=LOW_STOCK_THRESHOLD, updated_dt=world.at(-1, 18))
    if roll < 0.06:
        stock.on_hand = Decimal(0)
        stock.incoming = Decimal(rng.choice([24, 50, 100, 120, 200]))
        stock.incoming_date = world.day(rng.randint(4, 25))
    elif roll < 0.16:
        stock.on_hand = Decimal(rng.randint(1, int(LOW_STOCK_THRESHOLD) - 1))
        if rng.random() < 0.5:
            stock.incoming = Decimal(rng.choice([50, 100]))
            stock.incoming_date = world.day(rng.randint(3, 14))
    else:
        stock.on_hand = Decimal(rng.randint(15, 600))
        if rng.random() < 0.3:
            stock.reserved = Decimal(rng.randint(1, 12))
    return stock


def _price_breaks(world: DemoWorld) -> None:
    """Quantity breaks on about forty products, in the Standard and Trade tiers."""
    for product in world.rng.sample([p for p in world.products if p.visibility == "all"], 40):
        for code in ("STD", "TRADE"):
            base = next(pp.price for pp in product.prices if pp.tier is world.tiers[code])
            for min_qty, factor in ((10, "0.95"), (50, "0.90")):
                db.session.add(PriceBreak(product=product, tier=world.tiers[code], min_qty=Decimal(min_qty),
                                          price=to_cents(base * Decimal(factor)), currency="EUR"))


def _promotions(world: DemoWorld, safety_category: Category) -> None:
    laser = next(p for p in world.products if p.name.startswith("Laser distance meter, 50 m"))
    db.session.add_all([
        Promotion(name="Safety month: 15% off personal protection", category=safety_category,
                  discount_percent=Decimal("15.00"), starts_on=world.day(-10), ends_on=world.day(20)),
        Promotion(name="Laser deal: 20% off the 50 m distance meter", product=laser,
                  discount_percent=Decimal("20.00"), starts_on=world.day(-3), ends_on=world.day(27)),
    ])


def tier_price(world: DemoWorld, product: Product, tier: PriceTier) -> Decimal:
    return next(pp.price for pp in product.prices if pp.tier is tier)
