"""Import kinds of prices: price tiers, tier prices, contract prices per company, quantity breaks, promotions."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import (
    Category,
    Company,
    ContractPrice,
    PriceBreak,
    PriceTier,
    Product,
    ProductPrice,
    Promotion,
)
from portal.services.imports import cells
from portal.services.imports.framework import (
    CREATE,
    Column,
    Kind,
    bulk_insert,
    bulk_update,
    full_values,
    ids_by,
    rows_where,
)

PRICE = cells.decimal(2)
SKU = cells.text(60)


def _changed(line) -> dict:
    return {k: v for k, (_, v) in line.changes.items()}


class PriceTiers(Kind):
    key, label, noun, noun_one = "price_tiers", "Price tiers", "price tiers", "price tier"
    columns = (
        Column("code", cells.text(30), required=True, example="TRADE"),
        Column("name", cells.text(80), needed_to_create=True, example="Trade"),
        Column("is_default", cells.boolean(default=False), example="no",
               help="yes for the one tier used by customers without a tier of their own."),
    )
    natural_key = ("code",)

    def _all(self) -> dict:
        rows = db.session.execute(select(PriceTier.id, PriceTier.code, PriceTier.name, PriceTier.is_default)).all()
        return {(r[1],): (r[0], {"code": r[1], "name": r[2], "is_default": r[3]}) for r in rows}

    def existing(self, keys):
        return self._all()

    def context(self, lines):
        return {"defaults": [ln.number for ln in lines if ln.values.get("is_default")]}

    def check(self, line, ctx):
        if line.values.get("is_default") and ctx["defaults"][0] != line.number:
            line.error(f"only one tier can be the default (line {ctx['defaults'][0]} already is)")

    def write(self, lines, ctx, actor):
        if any(ln.values.get("is_default") for ln in lines):
            db.session.execute(update(PriceTier).values(is_default=False))
        for line in lines:
            if line.action == CREATE:
                db.session.add(PriceTier(**full_values(self, line)))
        bulk_update(PriceTier, [{"id": ln.id, **_changed(ln)} for ln in lines if ln.action != CREATE])
        default = next((ln for ln in lines if ln.values.get("is_default")), None)
        if default is not None:
            db.session.flush()
            db.session.execute(update(PriceTier).where(PriceTier.code == default.key[0]).values(is_default=True))

    def export(self):
        yield from (v for _id, v in sorted(self._all().values(), key=lambda r: r[1]["code"]))


class _ProductPrices(Kind):
    """Shared by the kinds keyed by a product's SKU and more: product and tier lookups, bulk writes."""

    model = ProductPrice
    #: the columns stored as they are (same name on the model)
    attrs: tuple[str, ...] = ()

    def context(self, lines):
        return {"products": ids_by(Product.sku, Product.id, [ln.values.get("sku") for ln in lines]),
                "tiers": ids_by(PriceTier.code, PriceTier.id, [ln.values.get("tier") for ln in lines]),
                "companies": ids_by(Company.code, Company.id, [ln.values.get("company") for ln in lines])}

    def check(self, line, ctx):
        sku, tier, company = line.values.get("sku"), line.values.get("tier"), line.values.get("company")
        if company and company not in ctx["companies"]:
            line.error(f"company {company} unknown in {self.noun}")
        if sku and sku not in ctx["products"]:
            line.error(f"SKU {sku} unknown in {self.noun}")
        if tier and tier not in ctx["tiers"]:
            line.error(f"price tier {tier} unknown in {self.noun}")

    def _row(self, values: dict, ctx: dict) -> dict:
        row = {name: values[name] for name in self.attrs if name in values}
        if "sku" in values:
            row["product_id"] = ctx["products"][values["sku"]]
        if "tier" in values:
            row["tier_id"] = ctx["tiers"].get(values["tier"]) if values["tier"] else None
        if "company" in values:
            row["company_id"] = ctx["companies"][values["company"]]
        return row

    def write(self, lines, ctx, actor):
        bulk_insert(self.model, [self._row(full_values(self, ln), ctx) for ln in lines if ln.action == CREATE])
        bulk_update(self.model, [{"id": ln.id, **self._row(_changed(ln), ctx)} for ln in lines if ln.action != CREATE])

    def _first_per_key(self, rows, key_length: int) -> dict:
        """key -> (id, values); when several stored rows share a key, the oldest one is the one updated."""
        found: dict = {}
        for row in sorted(rows, key=lambda r: r[0]):
            values = dict(zip([c.name for c in self.columns], row[1:], strict=True))
            found.setdefault(tuple(row[1:1 + key_length]), (row[0], values))
        return found


class TierPrices(_ProductPrices):
    key, label, noun, noun_one = "tier_prices", "Tier prices", "tier prices", "tier price"
    columns = (
        Column("sku", SKU, required=True, example="BLT-1024"),
        Column("tier", cells.text(30), required=True, example="TRADE"),
        Column("price", PRICE, needed_to_create=True, example="12.50"),
        Column("currency", cells.currency(), example="EUR"),
    )
    natural_key = ("sku", "tier")
    attrs = ("price", "currency")

    def _query(self):
        return (select(ProductPrice.id, Product.sku, PriceTier.code, ProductPrice.price, ProductPrice.currency)
                .join(Product, Product.id == ProductPrice.product_id)
                .join(PriceTier, PriceTier.id == ProductPrice.tier_id))

    def existing(self, keys):
        return self._first_per_key(rows_where(self._query(), Product.sku, [k[0] for k in keys]), 2)

    def export(self):
        for _id, values in self._first_per_key(db.session.execute(self._query()).all(), 2).values():
            yield values


class ContractPrices(_ProductPrices):
    key, label, noun, noun_one = "contract_prices", "Contract prices", "contract prices", "contract price"
    model = ContractPrice
    columns = (
        Column("company", cells.text(30), required=True, example="C-1001", help="The company's code."),
        Column("sku", SKU, required=True, example="BLT-1024"),
        Column("valid_from", cells.day(), example="2026-01-01", help="Empty: from always."),
        Column("price", PRICE, needed_to_create=True, example="9.80"),
        Column("currency", cells.currency(), example="EUR"),
        Column("valid_until", cells.day(), example="2026-12-31", help="Empty: no end."),
    )
    natural_key = ("company", "sku", "valid_from")
    attrs = ("price", "currency", "valid_from", "valid_until")

    def _query(self):
        return (select(ContractPrice.id, Company.code, Product.sku, ContractPrice.valid_from, ContractPrice.price,
                       ContractPrice.currency, ContractPrice.valid_until)
                .join(Company, Company.id == ContractPrice.company_id)
                .join(Product, Product.id == ContractPrice.product_id))

    def existing(self, keys):
        return self._first_per_key(rows_where(self._query(), Product.sku, [k[1] for k in keys]), 3)

    def check(self, line, ctx):
        super().check(line, ctx)
        start = line.values.get("valid_from")
        end = line.values.get("valid_until", line.old.get("valid_until"))
        if start and end and end < start:
            line.error("valid_until is before valid_from")

    def export(self):
        rows = db.session.execute(self._query().order_by(Company.code, Product.sku, ContractPrice.id)).all()
        for _id, values in self._first_per_key(rows, 3).values():
            yield values


class PriceBreaks(_ProductPrices):
    key, label, noun, noun_one = "price_breaks", "Quantity breaks", "quantity breaks", "quantity break"
    model = PriceBreak
    columns = (
        Column("sku", SKU, required=True, example="BLT-1024"),
        Column("tier", cells.text(30), example="", help="A price tier code; empty: every tier."),
        Column("min_qty", cells.decimal(3, minimum=Decimal("0.001")), required=True, example="100"),
        Column("price", PRICE, needed_to_create=True, example="11.90"),
        Column("currency", cells.currency(), example="EUR"),
    )
    natural_key = ("sku", "tier", "min_qty")
    attrs = ("min_qty", "price", "currency")

    def _query(self):
        return (select(PriceBreak.id, Product.sku, PriceTier.code, PriceBreak.min_qty, PriceBreak.price,
                       PriceBreak.currency)
                .join(Product, Product.id == PriceBreak.product_id)
                .outerjoin(PriceTier, PriceTier.id == PriceBreak.tier_id))

    def existing(self, keys):
        return self._first_per_key(rows_where(self._query(), Product.sku, [k[0] for k in keys]), 3)

    def export(self):
        rows = db.session.execute(self._query().order_by(Product.sku, PriceTier.code, PriceBreak.min_qty)).all()
        for _id, values in self._first_per_key(rows, 3).values():
            yield values


class Promotions(_ProductPrices):
    key, label, noun, noun_one = "promotions", "Promotions", "promotions", "promotion"
    model = Promotion
    columns = (
        Column("name", cells.text(120), required=True, example="Spring bolts 10% off"),
        Column("sku", SKU, example="BLT-1024", help="One product; leave sku and category empty for everything."),
        Column("category", cells.text(120, lower=True), example="", help="A category's slug."),
        Column("discount_percent", cells.decimal(2, maximum=Decimal(100)), needed_to_create=True, example="10"),
        Column("starts_on", cells.day(), example="2026-03-01"),
        Column("ends_on", cells.day(), example="2026-03-31"),
        Column("is_active", cells.boolean(default=True), example="yes"),
    )
    natural_key = ("name",)
    attrs = ("name", "discount_percent", "starts_on", "ends_on", "is_active")

    def _query(self):
        product, category = aliased(Product), aliased(Category)
        return (select(Promotion.id, Promotion.name, product.sku, category.slug, Promotion.discount_percent,
                       Promotion.starts_on, Promotion.ends_on, Promotion.is_active)
                .outerjoin(product, product.id == Promotion.product_id)
                .outerjoin(category, category.id == Promotion.category_id))

    def existing(self, keys):
        return self._first_per_key(rows_where(self._query(), Promotion.name, [k[0] for k in keys]), 1)

    def context(self, lines):
        return {**super().context(lines),
                "categories": ids_by(Category.slug, Category.id, [ln.values.get("category") for ln in lines])}

    def check(self, line, ctx):
        super().check(line, ctx)
        category = line.values.get("category")
        if category and category not in ctx["categories"]:
            line.error(f"category {category} unknown in {self.noun}")
        start = line.values.get("starts_on", line.old.get("starts_on"))
        end = line.values.get("ends_on", line.old.get("ends_on"))
        if start and end and end < start:
            line.error("ends_on is before starts_on")

    def _row(self, values, ctx):
        row = {name: values[name] for name in self.attrs if name in values}
        if "sku" in values:
            row["product_id"] = ctx["products"].get(values["sku"]) if values["sku"] else None
        if "category" in values:
            row["category_id"] = ctx["categories"].get(values["category"]) if values["category"] else None
        return row

    def export(self):
        rows = db.session.execute(self._query().order_by(Promotion.name, Promotion.id)).all()
        for _id, values in self._first_per_key(rows, 1).values():
            yield values
