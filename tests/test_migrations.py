"""Alembic migrations build exactly the schema the models declare, on the engine the suite runs on.

Each test gets a FRESH empty database: a new PostgreSQL database on the DATABASE_URL server (dropped
afterwards) or a new SQLite file.
"""
from __future__ import annotations

from decimal import Decimal

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from portal import create_app
from portal.extensions import db as _db
from portal.services import catalog_search
from tests.fixtures_apps import keep_logging


@pytest.fixture
def migrated_app(fresh_database_url):
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": fresh_database_url})
    with app.app_context(), keep_logging():
        assert inspect(_db.engine).get_table_names() == [], "the database must start empty"
        yield app
        _db.session.remove()
        _db.engine.dispose()


def schema_differences() -> list:
    with _db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": catalog_search.in_models})
        return compare_metadata(context, _db.metadata)


def test_upgrade_head_builds_exactly_the_models_schema(migrated_app):
    flask_migrate.upgrade()
    tables = set(inspect(_db.engine).get_table_names())
    assert set(_db.metadata.tables) <= tables
    differences = schema_differences()
    assert differences == [], (
        "migrations and models disagree; regenerate the migration (flask db migrate):\n"
        + "\n".join(map(repr, differences)))


def test_downgrade_to_base_and_upgrade_again(migrated_app):
    flask_migrate.upgrade()
    flask_migrate.downgrade(revision="base")
    assert set(inspect(_db.engine).get_table_names()) <= {"alembic_version"}
    flask_migrate.upgrade()
    assert schema_differences() == []


NOW = "2026-01-05 10:00:00+00:00"


def _insert_company(conn) -> None:
    """Company 1 as the schema of an older revision stores it (raw SQL: the models are newer)."""
    conn.execute(text(
        "INSERT INTO company (id, code, name, is_customer, is_supplier, portal_access, currency, credit_limit, "
        "payment_terms_days, discount_percent, created_dt) "
        "VALUES (1, 'C-1', 'ACME', true, false, true, 'EUR', 0, 30, 0, :now)"), {"now": NOW})


def test_existing_credit_notes_credit_their_invoices_on_upgrade(migrated_app):
    """3c51d7e0a2b4 stores what issued credit notes took off each invoice, never more than it owed."""
    flask_migrate.upgrade(revision="fcbc61508e59")
    now = NOW
    with _db.engine.begin() as conn:
        _insert_company(conn)
        for invoice_id, status, total, paid in ((1, "open", "100.00", "0.00"), (2, "partially_paid", "100.00", "70.00"),
                                                (3, "paid", "100.00", "100.00"), (4, "open", "100.00", "0.00")):
            conn.execute(text(
                "INSERT INTO invoice (id, number, company_id, status, issue_date, due_date, amount_paid, created_dt, "
                "currency, subtotal, tax_total, total) VALUES (:id, :number, 1, :status, '2026-01-05', '2026-02-04', "
                ":paid, :now, 'EUR', :total, 0, :total)"),
                {"id": invoice_id, "number": f"INV-{invoice_id}", "status": status, "paid": paid, "total": total,
                 "now": now})
        for note_id, invoice_id, status, total in ((1, 1, "issued", "40.00"), (2, 1, "draft", "60.00"),
                                                   (3, 2, "applied", "30.00"), (4, 3, "issued", "10.00"),
                                                   (5, 4, "void", "100.00"), (6, None, "issued", "5.00")):
            conn.execute(text(
                "INSERT INTO credit_note (id, number, company_id, invoice_id, status, reason, issue_date, created_dt, "
                "currency, subtotal, tax_total, total) VALUES (:id, :number, 1, :invoice_id, :status, '', "
                "'2026-01-06', :now, 'EUR', :total, 0, :total)"),
                {"id": note_id, "number": f"CN-{note_id}", "invoice_id": invoice_id, "status": status,
                 "total": total, "now": now})
    flask_migrate.upgrade()
    with _db.engine.connect() as conn:
        rows = conn.execute(text("SELECT number, status, amount_credited FROM invoice ORDER BY id")).all()
    assert [(n, s, Decimal(str(c))) for n, s, c in rows] == [
        ("INV-1", "partially_paid", Decimal("40.00")),
        ("INV-2", "paid", Decimal("30.00")),
        ("INV-3", "paid", Decimal("0.00")),  # already paid in full: nothing left to credit
        ("INV-4", "open", Decimal("0.00")),
    ]
    flask_migrate.downgrade(revision="fcbc61508e59")
    with _db.engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM invoice ORDER BY id")).scalars().all() == [
            "open", "partially_paid", "paid", "open"]


def test_shop_revision_keeps_hidden_products_hidden_and_private_lists_private(migrated_app):
    """d038f2bdff9f: is_visible becomes visibility, is_shared becomes sharing, double cart lines fold."""
    flask_migrate.upgrade(revision="9ca3ae83b60a")
    now = NOW
    with _db.engine.begin() as conn:
        _insert_company(conn)
        conn.execute(text(
            "INSERT INTO \"user\" (id, email, name, kind, is_active, portal_access, invitation_state, rep_access, "
            "notification_prefs, created_dt) VALUES (1, 'a@example.com', 'A', 'contact', true, true, 'accepted', "
            "'allocated', '{}', :now)"), {"now": now})
        for product_id, visible in ((1, True), (2, False)):
            conn.execute(text(
                "INSERT INTO product (id, sku, name, unit, is_visible, guest_visible, min_order_qty, tax_rate, "
                "created_dt) VALUES (:id, :sku, 'Bolt', 'pcs', :visible, true, 1, 21, :now)"),
                {"id": product_id, "sku": f"B-{product_id}", "visible": visible, "now": now})
        for list_id, shared in ((1, True), (2, False)):
            conn.execute(text("INSERT INTO purchase_list (id, company_id, owner_id, name, is_shared, created_dt) "
                              "VALUES (:id, 1, 1, 'Site', :shared, :now)"), {"id": list_id, "shared": shared, "now": now})
        for item_id, quantity in ((1, 2), (2, 3)):  # the same product twice in one cart
            conn.execute(text("INSERT INTO cart_item (id, user_id, company_id, product_id, quantity, added_dt) "
                              "VALUES (:id, 1, 1, 1, :q, :now)"), {"id": item_id, "q": quantity, "now": now})
    flask_migrate.upgrade()
    with _db.engine.connect() as conn:
        assert conn.execute(text("SELECT id, visibility FROM product ORDER BY id")).all() == [(1, "all"), (2, "hidden")]
        assert conn.execute(text("SELECT id, sharing FROM purchase_list ORDER BY id")).all() == [
            (1, "read"), (2, "private")]
        assert [(i, Decimal(str(q))) for i, q in conn.execute(text("SELECT id, quantity FROM cart_item")).all()] == [
            (1, Decimal(5))]
    flask_migrate.downgrade(revision="9ca3ae83b60a")
    with _db.engine.connect() as conn:
        assert [bool(v) for v in conn.execute(text("SELECT is_visible FROM product ORDER BY id")).scalars()] == [
            True, False]
