"""a7c3e9f2b1d4: guest access becomes the guest catalog's toggle; existing products are searchable."""
from __future__ import annotations

import json

import flask_migrate
from sqlalchemy import text

from tests.test_migrations import NOW, migrated_app  # noqa: F401 (fixture)


def test_stored_guest_access_becomes_the_guest_catalog_toggle_and_products_are_indexed(migrated_app):  # noqa: F811
    flask_migrate.upgrade(revision="a7d4c2e9b1f3")
    with migrated_app.extensions["sqlalchemy"].engine.begin() as conn:
        for key, value in (("guest.enabled", True), ("guest.price_tier", "GUEST")):
            conn.execute(text("INSERT INTO setting_value (key, value, updated_dt) VALUES (:k, :v, :now)"),
                         {"k": key, "v": json.dumps(value), "now": NOW})
        conn.execute(text(
            "INSERT INTO product (id, sku, name, description, unit, visibility, guest_visible, min_order_qty, "
            "order_increment, pack_size, tax_rate, created_dt) VALUES (1, 'SCR-1', 'Wood screw', 'Zinc plated', "
            "'pcs', 'all', true, 1, 1, 1, 21, :now)"), {"now": NOW})
    flask_migrate.upgrade()
    engine = migrated_app.extensions["sqlalchemy"].engine
    with engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT key, value FROM setting_value")).all())
        stored = {k: json.loads(v) if conn.dialect.name == "sqlite" else v for k, v in stored.items()}
        assert stored == {"features.guest_catalog": True, "guest_catalog.price_tier": "GUEST"}
        if conn.dialect.name == "postgresql":
            hits = conn.execute(text("SELECT product_id FROM product_search "
                                     "WHERE document @@ to_tsquery('simple', 'zinc:*')")).scalars().all()
        else:
            hits = conn.execute(text("SELECT rowid FROM product_search WHERE product_search MATCH 'zinc*'")).scalars().all()
        assert hits == [1]
    flask_migrate.downgrade(revision="a7d4c2e9b1f3")
    with engine.connect() as conn:
        keys = set(conn.execute(text("SELECT key FROM setting_value")).scalars())
        assert keys == {"guest.enabled", "guest.price_tier"}
