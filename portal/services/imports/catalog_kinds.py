"""Import kinds of the catalog: categories, products (visibility, unit, pack and order quantities), stock."""
from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import (
    Category,
    Company,
    PriceTier,
    Product,
    ProductVisibility,
    StockLevel,
    product_company_visibility,
    product_tier_visibility,
)
from portal.models.base import utcnow
from portal.services.imports import cells
from portal.services.imports.framework import (
    CREATE,
    Column,
    Kind,
    Line,
    bulk_insert,
    bulk_update,
    full_values,
    ids_by,
    rows_where,
)

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
QTY = cells.decimal(3, minimum=Decimal("0.001"), default=Decimal(1))


class Categories(Kind):
    key, label, noun, noun_one = "categories", "Categories", "categories", "category"
    columns = (
        Column("slug", cells.text(120, lower=True), required=True, example="fasteners",
               help="Lower-case letters, digits and dashes; the category's key."),
        Column("name", cells.text(120), needed_to_create=True, example="Fasteners"),
        Column("parent", cells.text(120, lower=True), example="", help="The parent category's slug; empty: top level."),
        Column("position", cells.integer(default=0), example="1"),
    )
    natural_key = ("slug",)

    def _all(self) -> dict:
        parent = aliased(Category)
        rows = db.session.execute(select(Category.id, Category.slug, Category.name, parent.slug, Category.position)
                                  .outerjoin(parent, parent.id == Category.parent_id)).all()
        return {(r[1],): (r[0], {"slug": r[1], "name": r[2], "parent": r[3], "position": r[4]}) for r in rows}

    def existing(self, keys):
        return self._all()

    def context(self, lines):
        stored = self._all()
        parents = {key[0]: values["parent"] for key, (_id, values) in stored.items()}
        for line in lines:
            if line.key is not None and "parent" in line.values:
                parents[line.key[0]] = line.values["parent"]
            elif line.key is not None:
                parents.setdefault(line.key[0], None)
        return {"parents": parents}

    def check(self, line, ctx):
        slug, parents = line.key[0], ctx["parents"]
        if not SLUG.fullmatch(slug):
            line.error(f"slug “{slug}” may hold only lower-case letters, digits and single dashes")
        parent = line.values.get("parent")
        if parent is None:
            return
        if parent not in parents:
            line.error(f"parent {parent} unknown in {self.noun}")
            return
        seen = {slug}
        while parent is not None:
            if parent in seen:
                line.error(f"category {slug} would be inside itself (parent {line.values['parent']})")
                return
            seen.add(parent)
            parent = parents.get(parent)

    def write(self, lines, ctx, actor):
        for line in lines:
            if line.action == CREATE:
                values = full_values(self, line)
                db.session.add(Category(slug=values["slug"], name=values["name"], position=values["position"]))
        db.session.flush()
        ids = dict(db.session.execute(select(Category.slug, Category.id)).all())
        rows = []
        for line in lines:
            values = full_values(self, line) if line.action == CREATE else {k: v for k, (_, v) in line.changes.items()}
            row = {"id": ids[line.key[0]]}
            row.update({k: values[k] for k in ("name", "position") if k in values})
            if "parent" in values:
                row["parent_id"] = ids.get(values["parent"]) if values["parent"] else None
            if len(row) > 1:
                rows.append(row)
        bulk_update(Category, rows)

    def export(self):
        for _id, values in sorted(self._all().values(), key=lambda r: r[1]["slug"]):
            yield values


# --- products --------------------------------------------------------------------------------------

PRODUCT_ATTRS = {"sku": "sku", "name": "name", "description": "description", "unit": "unit",
                 "visibility": "visibility", "guest_visible": "guest_visible", "pack_size": "pack_size",
                 "min_order_qty": "min_order_qty", "order_increment": "order_increment", "tax_rate": "tax_rate"}
VISIBLE = {"visible_tiers": (product_tier_visibility, "tier_id", PriceTier),
           "visible_companies": (product_company_visibility, "company_id", Company)}


class Products(Kind):
    key, label, noun, noun_one = "products", "Products", "products", "product"
    columns = (
        Column("sku", cells.text(60), required=True, example="BLT-1024"),
        Column("name", cells.text(200), needed_to_create=True, example="Hex bolt M10 x 40, zinc plated"),
        Column("description", cells.text(5000, lines=True), example="Box of 100, DIN 933"),
        Column("category", cells.text(120, lower=True), example="fasteners", help="The category's slug."),
        Column("unit", cells.text(20, default="pcs"), example="pcs"),
        Column("visibility", cells.choice([v.value for v in ProductVisibility], default="all"), example="all",
               help="all, hidden or restricted (only the tiers and companies listed)."),
        Column("guest_visible", cells.boolean(default=True), example="yes"),
        Column("pack_size", QTY, example="100"),
        Column("min_order_qty", QTY, example="1"),
        Column("order_increment", QTY, example="1"),
        Column("tax_rate", cells.decimal(2, maximum=Decimal(100), default=Decimal("21.00")), example="21"),
        Column("visible_tiers", cells.code_list(30), example="",
               help="Restricted products: price tier codes, separated by commas."),
        Column("visible_companies", cells.code_list(30), example="",
               help="Restricted products: company codes, separated by commas."),
    )
    natural_key = ("sku",)

    def _query(self):
        return (select(Product.id, Product.sku, Product.name, Product.description, Category.slug, Product.unit,
                       Product.visibility, Product.guest_visible, Product.pack_size, Product.min_order_qty,
                       Product.order_increment, Product.tax_rate)
                .outerjoin(Category, Category.id == Product.category_id))

    def _values(self, row, links: dict) -> dict:
        names = ("sku", "name", "description", "category", "unit", "visibility", "guest_visible", "pack_size",
                 "min_order_qty", "order_increment", "tax_rate")
        values = dict(zip(names, row[1:], strict=True))
        values["visibility"] = getattr(values["visibility"], "value", values["visibility"])
        for name in VISIBLE:
            values[name] = frozenset(links[name].get(row[0], ()))
        return values

    def _links(self) -> dict:
        """Every restricted product's listed tiers and companies (few rows: read whole)."""
        links = {}
        for name, (table, fk, model) in VISIBLE.items():
            found: dict[int, set] = {}
            for product_id, code in db.session.execute(
                    select(table.c.product_id, model.code).join(model, model.id == table.c[fk])):
                found.setdefault(product_id, set()).add(code)
            links[name] = found
        return links

    def existing(self, keys):
        links = self._links()
        rows = rows_where(self._query(), Product.sku, [k[0] for k in keys])
        return {(r[1],): (r[0], self._values(r, links)) for r in rows}

    def context(self, lines):
        wanted = {name: set() for name in VISIBLE}
        categories = set()
        for line in lines:
            categories.add(line.values.get("category"))
            for name in VISIBLE:
                wanted[name].update(line.values.get(name) or ())
        return {"categories": ids_by(Category.slug, Category.id, categories),
                "visible_tiers": ids_by(PriceTier.code, PriceTier.id, wanted["visible_tiers"]),
                "visible_companies": ids_by(Company.code, Company.id, wanted["visible_companies"])}

    def check(self, line, ctx):
        category = line.values.get("category")
        if category and category not in ctx["categories"]:
            line.error(f"category {category} unknown in {self.noun}")
        for name, what in (("visible_tiers", "price tier"), ("visible_companies", "company code")):
            unknown = sorted((line.values.get(name) or frozenset()) - ctx[name].keys())
            if unknown:
                line.error(f"{what} {', '.join(unknown)} unknown in {self.noun}")

    def _row(self, values: dict, ctx: dict) -> dict:
        row = {PRODUCT_ATTRS[k]: v for k, v in values.items() if k in PRODUCT_ATTRS}
        if "visibility" in row:
            row["visibility"] = ProductVisibility(row["visibility"])
        if "category" in values:
            row["category_id"] = ctx["categories"].get(values["category"]) if values["category"] else None
        return row

    def write(self, lines, ctx, actor):
        now = utcnow()
        creates = [{**self._row(full_values(self, ln), ctx), "created_dt": now}
                   for ln in lines if ln.action == CREATE]
        bulk_insert(Product, creates)
        updates = [{"id": ln.id, **self._row({k: v for k, (_, v) in ln.changes.items()}, ctx)}
                   for ln in lines if ln.action != CREATE]
        bulk_update(Product, [u for u in updates if len(u) > 1])
        self._write_links(lines, ctx)

    def _write_links(self, lines: list[Line], ctx: dict) -> None:
        touched = {name: [ln for ln in lines if name in ln.values and (
            ln.changes.get(name) if ln.action != CREATE else ln.values[name])] for name in VISIBLE}
        new_skus = [ln.key[0] for name in VISIBLE for ln in touched[name] if ln.action == CREATE]
        new_ids = ids_by(Product.sku, Product.id, new_skus)
        for name, (table, fk, _model) in VISIBLE.items():
            pairs = [(ln.id or new_ids[ln.key[0]], ln.values[name]) for ln in touched[name]]
            for product_id, codes in pairs:
                db.session.execute(delete(table).where(table.c.product_id == product_id))
                rows = [{"product_id": product_id, fk: ctx[name][code]} for code in sorted(codes)]
                if rows:
                    db.session.execute(insert(table), rows)

    def export(self):
        links = self._links()
        for row in db.session.execute(self._query().order_by(Product.sku)):
            yield self._values(row, links)


# --- stock -----------------------------------------------------------------------------------------

class Stock(Kind):
    key, label, noun, noun_one = "stock", "Stock levels", "stock levels", "stock level"
    columns = (
        Column("sku", cells.text(60), required=True, example="BLT-1024"),
        Column("on_hand", cells.decimal(3, default=Decimal(0)), example="250"),
        Column("incoming", cells.decimal(3, default=Decimal(0)), example="500",
               help="Ordered from suppliers, not yet received."),
        Column("incoming_date", cells.day(), example="2026-03-15", help="When the incoming stock is expected."),
        Column("low_stock_threshold", cells.decimal(3, default=Decimal(5)), example="20"),
    )
    natural_key = ("sku",)
    FIELDS = ("on_hand", "incoming", "incoming_date", "low_stock_threshold")

    def _query(self):
        return (select(StockLevel.id, Product.sku, StockLevel.on_hand, StockLevel.incoming, StockLevel.incoming_date,
                       StockLevel.low_stock_threshold).join(Product, Product.id == StockLevel.product_id))

    def _values(self, row) -> dict:
        return dict(zip(("sku", *self.FIELDS), row[1:], strict=True))

    def existing(self, keys):
        return {(r[1],): (r[0], self._values(r)) for r in rows_where(self._query(), Product.sku, [k[0] for k in keys])}

    def context(self, lines):
        return {"products": ids_by(Product.sku, Product.id, [ln.key[0] for ln in lines if ln.key and ln.id is None])}

    def check(self, line, ctx):
        if line.id is None and line.key[0] not in ctx["products"]:
            line.error(f"SKU {line.key[0]} unknown in {self.noun}")

    def write(self, lines, ctx, actor):
        now = utcnow()
        creates = []
        for line in lines:
            if line.action == CREATE:
                values = full_values(self, line)
                creates.append({"product_id": ctx["products"][line.key[0]], "reserved": Decimal(0), "updated_dt": now,
                                **{k: values[k] for k in self.FIELDS}})
        bulk_insert(StockLevel, creates)
        bulk_update(StockLevel, [{"id": ln.id, "updated_dt": now, **{k: v for k, (_, v) in ln.changes.items()}}
                                 for ln in lines if ln.action != CREATE])

    def export(self):
        for row in db.session.execute(self._query().order_by(Product.sku)):
            yield self._values(row)
