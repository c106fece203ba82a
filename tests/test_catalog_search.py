"""The search service on the suite's engine (SQLite FTS5 or PostgreSQL tsvector): what it finds, typo
tolerance, and the index following every write to the product table, ORM or raw SQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from portal.models import Product
from portal.services import catalog_search
from portal.services.catalog_search import corrected, edit_distance, match, words_of


def found(db, query: str) -> list[str]:
    words = words_of(query)
    m = match(words)
    stmt = select(Product.name).join(m.joined, m.onclause).where(m.where).order_by(m.rank, Product.name)
    return list(db.session.execute(stmt).scalars())


def test_words_and_edit_distance():
    assert words_of("  PPE-1042, Hex bolt's M8 ") == ["ppe", "1042", "hex", "bolt", "s", "m8"]
    assert words_of("a b c d e f g h i j") == list("abcdefgh")  # at most eight words
    assert words_of("\"*) OR name:(") == ["or", "name"]  # the engines' query syntax never gets through
    assert edit_distance("scerw", "screw") == 1  # swapped letters
    assert edit_distance("drll", "drill") == 1 and edit_distance("kitten", "sitting") == 3


def test_name_sku_and_description_by_prefix_and_name_first(db, make):
    make.product(name="Hex bolt M8", sku="BLT-2001", description="Steel, for a wood screw joint")
    make.product(name="Wood screw 4x40", sku="SCR-1001", description="Zinc plated")
    assert found(db, "screw") == ["Wood screw 4x40", "Hex bolt M8"]  # name matches rank above descriptions
    assert found(db, "blt-2001") == ["Hex bolt M8"]
    assert found(db, "zinc plat") == ["Wood screw 4x40"]
    assert found(db, "bolt zinc") == []  # every word must match


@pytest.mark.committed  # the raw SQL runs on connections of its own
def test_the_index_follows_raw_sql_inserts_updates_and_deletes(db, make):
    product = make.product(name="Angle grinder", sku="GRD-1")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE product SET description = 'With diamond disc' WHERE id = :id"), {"id": product.id})
    db.session.expire_all()
    assert found(db, "diamond") == ["Angle grinder"]
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE product SET name = 'Bench grinder' WHERE id = :id"), {"id": product.id})
    assert found(db, "bench") == ["Bench grinder"] and found(db, "angle") == []
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM product_price WHERE product_id = :id"), {"id": product.id})
        conn.execute(text("DELETE FROM stock_level WHERE product_id = :id"), {"id": product.id})
        conn.execute(text("DELETE FROM product WHERE id = :id"), {"id": product.id})
    assert found(db, "grinder") == []


def test_unknown_words_become_the_closest_indexed_word(db, make):
    make.product(name="Wood screw 4x40")
    make.product(name="Cordless drill")
    assert corrected(["scerw"]) == ["screw"]
    assert corrected(["drll", "cordlss"]) == ["drill", "cordless"]
    # a known word's neighbours are not looked up, an unknown one's are, even beside a known word
    assert corrected(["wood", "scerw"]) == ["wood", "screw"]
    assert corrected(["screw", "scerw", "drll"]) == ["screw", "screw", "drill"]
    assert corrected(["scr"]) == ["scr"]  # a known prefix stays as typed
    make.product(name="Screwdriver set")
    assert corrected(["screwdr"]) == ["screwdr"]  # however much longer the indexed word is
    assert corrected(["zebra"]) == ["zebra"]  # nothing close: unchanged, nothing found


@pytest.mark.committed  # the index is rebuilt on a connection of its own
def test_create_index_repairs_and_refills_after_the_triggers_were_lost(db, make):
    make.product(name="Cordless drill")
    with db.engine.begin() as conn:
        catalog_search.drop_index(conn)
        catalog_search.create_index(conn)
    assert found(db, "drill") == ["Cordless drill"]
    make.product(name="Impact driver")
    assert found(db, "driver") == ["Impact driver"]
