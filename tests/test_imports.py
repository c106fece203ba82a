"""Issue 12 items 1-2: imports from real files (CSV with a BOM, semicolons, Excel with dates and decimals),
the dry run changing nothing, errors in words, all or nothing, and the export -> import round trip."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, text

from portal.models import (
    AuditLog,
    Category,
    Company,
    ContractPrice,
    Membership,
    PriceBreak,
    Product,
    ProductPrice,
    Promotion,
    StockLevel,
    User,
)
from portal.services import imports
from portal.services.actor import Actor
from portal.services.imports import reading

KINDS = imports.KINDS


def plan(kind: str, data: bytes, mapping: dict | None = None):
    k = KINDS[kind]
    sheet = reading.read(data)
    return imports.preview(k, data, mapping or imports.default_mapping(k, sheet.headers))


def run(kind: str, data: bytes, actor: Actor, db, mapping: dict | None = None):
    """Preview, then apply what it showed, and commit."""
    k = KINDS[kind]
    mapping = mapping or imports.default_mapping(k, reading.read(data).headers)
    preview = imports.preview(k, data, mapping)
    assert preview.can_apply, preview.errors
    result = imports.apply(k, data, mapping, preview.fingerprint(), actor=actor, filename=f"{kind}.csv")
    db.session.commit()
    return result


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_excel(text: str) -> bytes:
    """A CSV as a spreadsheet program saves it as .xlsx: numbers become numbers, ISO dates dates."""
    def typed(cell: str):
        if re.fullmatch(r"-?\d+(\.\d+)?", cell):
            return float(cell) if "." in cell else int(cell)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell):
            return datetime.fromisoformat(cell)
        return cell or None
    return xlsx([[typed(c) for c in row] for row in csv.reader(io.StringIO(text))])


@pytest.fixture
def actor(make):
    return Actor.of(make.staff())


def count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_products_from_a_semicolon_csv_with_a_bom_and_decimal_commas_then_again_changes_nothing(db, make, actor):
    make.category("Fasteners")
    slug = db.session.execute(select(Category.slug)).scalar_one()
    text = ("SKU;Name;Category;Unit;Pack size;Min order qty;Order increment;Visibility;Tax rate\r\n"
            f"BLT-1;Hex bolt M10;{slug};box;100;2;2;all;21\r\n"
            f"BLT-2;Hex bolt M12, zinc;{slug};pcs;1;1;0,5;hidden;9,5\r\n")
    data = text.encode("utf-8-sig")

    first = run("products", data, actor, db)

    assert first.counts["create"] == 2
    bolt, half = db.session.execute(select(Product).order_by(Product.sku)).scalars().all()
    assert (bolt.name, bolt.unit, bolt.pack_size, bolt.min_order_qty, bolt.category.slug) == (
        "Hex bolt M10", "box", Decimal(100), Decimal(2), slug)
    assert (half.name, half.order_increment, half.tax_rate, half.visibility.value) == (
        "Hex bolt M12, zinc", Decimal("0.5"), Decimal("9.5"), "hidden")
    again = plan("products", data)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 2, "error": 0}
    assert count(db, Product) == 2
    entry = db.session.execute(select(AuditLog).where(AuditLog.action == "import.applied")).scalar_one()
    assert entry.details["created"] == "2" and "sku BLT-1" in entry.details["report"]


def test_stock_from_excel_with_dates_and_decimals(db, make, actor):
    make.product(sku="BLT-1", on_hand="0")
    make.product(sku="BLT-2", on_hand="0")
    data = xlsx([["sku", "on_hand", "incoming", "incoming_date"],
                 ["BLT-1", 12.5, 500, datetime(2026, 3, 15)],
                 ["BLT-2", 0.1, None, None]])

    run("stock", data, actor, db)

    levels = {s.product.sku: s for s in db.session.execute(select(StockLevel)).scalars()}
    assert (levels["BLT-1"].on_hand, levels["BLT-1"].incoming, levels["BLT-1"].incoming_date) == (
        Decimal("12.5"), Decimal(500), date(2026, 3, 15))
    assert levels["BLT-2"].on_hand == Decimal("0.1") and levels["BLT-2"].incoming == 0
    assert plan("stock", data).counts["unchanged"] == 2


def test_the_dry_run_changes_nothing_and_apply_is_all_or_nothing(db, make, actor):
    make.company(code="C-1")
    make.product(sku="BLT-1", name="Old name")
    data = (b"company,sku,price\nC-1,BLT-1,9.80\nC-1,BLT-1024,7.00\n")
    before = count(db, ContractPrice)

    preview = plan("contract_prices", data)

    assert preview.errors == ["line 3: SKU BLT-1024 unknown in contract prices"]
    assert [ln.action for ln in preview.lines] == ["create", "error"]
    with pytest.raises(imports.ApplyRefused):
        imports.apply(KINDS["contract_prices"], data, imports.default_mapping(KINDS["contract_prices"],
                      ["company", "sku", "price"]), preview.fingerprint(), actor=actor)
    db.session.rollback()
    assert count(db, ContractPrice) == before

    rename = b"sku,name\nBLT-1,New name\nBLT-9,Brand new\n"
    assert plan("products", rename).counts == {"create": 1, "update": 1, "unchanged": 0, "error": 0}
    db.session.expire_all()
    assert db.session.execute(select(Product.name)).scalars().all() == ["Old name"]
    assert count(db, AuditLog) == 0


def test_apply_refuses_a_plan_that_changed_since_the_preview(db, make, actor):
    product = make.product(sku="BLT-1", name="Bolt")
    data = b"sku,name\nBLT-1,Better bolt\n"
    kind = KINDS["products"]
    mapping = imports.default_mapping(kind, ["sku", "name"])
    shown = imports.preview(kind, data, mapping).fingerprint()
    product.name = "Bolt renamed by a colleague"
    db.session.commit()
    product.name = "Better bolt"
    db.session.commit()

    with pytest.raises(imports.ApplyRefused, match="changed since the preview"):
        imports.apply(kind, data, mapping, shown, actor=actor)


def test_errors_are_told_per_line_in_words(db, make, actor):
    make.company(code="C-1")
    staff = make.staff(email="boss@example.com")
    data = ("email;company;name;role\n"
            "anna@example.com;C-1;Anna;Buyer\n"
            f"{staff.email};C-1;Boss;Buyer\n"
            "bob@example.com;C-9;Bob;Buyer\n"
            "carl@example.com;C-1;Carl;Chief\n"
            "not-an-email;C-1;Nobody;Buyer\n"
            "anna@example.com;C-1;Anna;Viewer\n").encode()

    errors = plan("contacts", data).errors

    assert errors == [
        "line 3: boss@example.com belongs to a staff member, not a customer contact",
        "line 4: company C-9 unknown in contacts",
        "line 5: role Chief unknown in contacts",
        "line 6: email “not-an-email” is not an email address",
        "line 7: email anna@example.com, company C-1 is already on line 2",
    ]


def test_companies_and_contacts_with_roles_per_company_reps_and_portal_access(db, make, actor):
    make.tier(code="TRADE", name="Trade")
    rep = make.rep(email="ron@example.com")
    companies = (b"code,name,portal_access,credit_limit,payment_terms_days,price_tier,discount_percent,sales_reps\n"
                 b"C-1,ACME,yes,5000,14,TRADE,2.5,RON@example.com\n"
                 b"C-2,Globex,no,0,30,,0,\n")
    run("companies", companies, actor, db)
    acme = db.session.execute(select(Company).filter_by(code="C-1")).scalar_one()
    assert (acme.portal_access, acme.credit_limit, acme.payment_terms_days, acme.price_tier.code,
            acme.discount_percent, acme.sales_reps) == (True, Decimal(5000), 14, "TRADE", Decimal("2.5"), [rep])

    contacts = (b"email,company,name,role,portal_access\n"
                b"anna@example.com,C-1,Anna,Admin,yes\n"
                b"anna@example.com,C-2,Anna,Viewer,yes\n")
    run("contacts", contacts, actor, db)
    anna = db.session.execute(select(User).filter_by(email="anna@example.com")).scalar_one()
    roles = {m.company.code: m.role.name for m in anna.memberships}
    assert roles == {"C-1": "Admin", "C-2": "Viewer"} and anna.portal_access and anna.is_contact

    refused = plan("contacts", b"email,company,name,portal_access\nzoe@example.com,C-2,Zoe,yes\n")
    assert refused.errors == [("line 2: zoe@example.com cannot have portal access: company C-2 does not have "
                               "customer portal access")]

    run("companies", b"code,portal_access\nC-1,no\n", actor, db)  # as the back office does: Anna is signed out
    actions = db.session.execute(select(AuditLog.action).where(AuditLog.object_id.in_([acme.id, anna.id]))).scalars()
    assert {"company.portal_disabled", "access.signed_out"} <= set(actions)


def _seed_every_kind(db, make, actor) -> None:
    run("categories", b"slug,name,parent,position\ntools,Tools,,1\nsaws,Saws,tools,2\n", actor, db)
    run("price_tiers", b"code,name,is_default\nSTD,Standard,yes\nTRADE,Trade,no\n", actor, db)
    run("companies", b"code,name,portal_access,currency\nC-1,ACME,yes,EUR\nC-2,=HYPERLINK(\"x\"),no,USD\n", actor, db)
    run("products", (b"sku,name,description,category,visibility,visible_tiers,visible_companies,pack_size\n"
                     b"SAW-1,Hand saw,\"Sharp,\nreally\",saws,all,,,1\n"
                     b"SAW-2,-Secret saw,,saws,restricted,TRADE,\"C-1, C-2\",2.5\n"), actor, db)
    run("tier_prices", b"sku,tier,price\nSAW-1,STD,12.50\nSAW-1,TRADE,11\nSAW-2,STD,30\n", actor, db)
    run("price_breaks", b"sku,tier,min_qty,price\nSAW-1,,10,11.5\nSAW-1,TRADE,10,10\n", actor, db)
    run("promotions", b"name,sku,category,discount_percent,starts_on,ends_on\nSpring,,saws,10,2026-03-01,"
                      b"2026-03-31\nAll,,,2,,\n", actor, db)
    run("stock", b"sku,on_hand,incoming,incoming_date\nSAW-1,5,10,2026-04-01\nSAW-2,0,0,\n", actor, db)
    run("contacts", b"email,company,name,role,job_title,portal_access\nanna@example.com,C-1,Anna,Admin,Boss,yes\n",
        actor, db)
    run("contract_prices", b"company,sku,price,valid_from,valid_until\nC-1,SAW-1,9,2026-01-01,2026-12-31\n"
                           b"C-1,SAW-1,8,2027-01-01,\n", actor, db)


def test_every_export_imports_back_unchanged_and_an_edited_cell_is_one_update(db, make, actor):
    _seed_every_kind(db, make, actor)
    rows_before = {k: count(db, m) for k, m in (("p", Product), ("pp", ProductPrice), ("pb", PriceBreak),
                                                 ("pr", Promotion), ("m", Membership), ("cp", ContractPrice))}

    for key, kind in KINDS.items():
        exported = imports.export(kind)
        result = plan(key, exported.encode("utf-8"))
        assert result.lines and result.counts["unchanged"] == len(result.lines), (key, result.errors, [
            ln.changes for ln in result.lines])

    for key in ("products", "stock", "contract_prices", "companies", "price_breaks"):  # as Excel saves it
        result = plan(key, as_excel(imports.export(KINDS[key])))
        assert result.counts["unchanged"] == len(result.lines), (key, result.errors)

    exported = imports.export(KINDS["companies"])
    assert "'=HYPERLINK" in exported  # neutralised for spreadsheets, read back as it was
    edited = exported.replace("ACME", "ACME Tools").replace(",", ";").encode("utf-8-sig")
    result = plan("companies", edited)
    assert result.counts == {"create": 0, "update": 1, "unchanged": 1, "error": 0}
    assert [ln.changes for ln in result.lines if ln.changes] == [{"name": ("ACME", "ACME Tools")}]
    assert rows_before == {k: count(db, m) for k, m in (("p", Product), ("pp", ProductPrice), ("pb", PriceBreak),
                                                        ("pr", Promotion), ("m", Membership), ("cp", ContractPrice))}


def test_every_template_is_a_header_and_an_example(app):
    for kind in KINDS.values():
        header, example = imports.template(kind).splitlines()[:2]
        assert header.split(",") == kind.headers and example


@pytest.mark.parametrize(("data", "message"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Excel 97-2003"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "not a CSV or Excel"),
    (b"PK\x03\x04 not really a workbook", "not a readable Excel"),
    (b"  \n", "is empty"),
])
def test_files_that_are_not_csv_or_xlsx_are_refused_in_words(data, message):
    with pytest.raises(reading.FileError, match=message):
        reading.read(data)


def test_a_file_without_the_key_column_or_without_lines_cannot_be_applied(app, db):
    no_key = plan("products", b"name\nBolt\n")
    assert no_key.errors == ["the column “sku” is needed: choose which column of the file holds it"]
    header_only = plan("products", b"sku,name\n\n")
    assert header_only.errors == ["the file has no lines below its header line"] and not header_only.can_apply


def test_an_emptied_name_or_an_overflowing_number_is_a_line_error_not_a_database_error(db, make):
    make.product(sku="BLT-1", name="Bolt")
    result = plan("products", b"sku;name;pack_size\nBLT-1;;1\nBLT-2;Nut;12345678901\nBLT-3;Washer;1,0005\n")
    assert result.errors == ["line 2: name is empty", "line 3: pack_size must be 999999999 or less",
                             "line 4: pack_size has more than 3 decimals"]


def test_a_file_of_50000_products_imports_whole_and_a_second_run_finds_nothing_to_change(db, make, actor):
    """The size a business brings on its first day (bench/import_products.py times it)."""
    slug = make.category("Bolts").slug
    lines = ["sku;name;category;unit;pack_size"]
    lines += [f"BIG-{n:06d};Hex bolt M{6 + n % 20} x {10 + n % 90};{slug};pcs;{n % 50 + 1}" for n in range(50_000)]
    data = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
    result = run("products", data, actor, db)
    assert result.counts["create"] == 50_000 and count(db, Product) == 50_000
    sample = db.session.execute(select(Product).filter_by(sku="BIG-049999")).scalar_one()
    assert (sample.name, sample.pack_size) == ("Hex bolt M25 x 59", 50)
    again = plan("products", data)
    assert again.counts["unchanged"] == 50_000 and again.counts["create"] == again.counts["update"] == 0


def _revision_writes(db) -> int:
    """How many times this transaction has replaced the catalog and search revision tokens so far."""
    return db.session.execute(select(func.coalesce(func.sum(text("n_tup_upd")), 0)).select_from(
        text("pg_stat_xact_user_tables")).where(text("relname IN ('catalog_revision', 'search_revision')"))).scalar()


def test_a_large_import_writes_whole_statements_so_the_revisions_change_per_chunk_not_per_row(db, make, actor):
    """On PostgreSQL the revision triggers run once per statement, and the same row replaced in one
    transaction costs more each time: an import writing a statement per row took quadratic time (a
    50,000-line first import: minutes). New products and changed ones are written a chunk per statement,
    and the planner's statistics are refreshed, so lookups by key stay index lookups as the table grows."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's triggers run once per row whatever the statement")
    slug = make.category("Bolts").slug
    lines = ["sku;name;category;pack_size;tax_rate;guest_visible"]
    lines += [f"ROW-{n:05d};Nut M{n % 30};{slug};{n % 7 + 1};21;yes" for n in range(5000)]
    before = _revision_writes(db)
    assert run("products", "\n".join(lines).encode(), actor, db).counts["create"] == 5000
    assert _revision_writes(db) - before <= 20
    changed = [lines[0]] + [f"ROW-{n:05d};Nut M{n % 30} zinc;{slug};{n % 5 + 2};9;no" for n in range(5000)]
    before = _revision_writes(db)
    assert run("products", "\n".join(changed).encode(), actor, db).counts["update"] == 5000
    assert _revision_writes(db) - before <= 20
    sample = db.session.execute(select(Product).filter_by(sku="ROW-04999")).scalar_one()
    db.session.refresh(sample)
    assert (sample.name, sample.pack_size, sample.tax_rate, sample.guest_visible) == (
        "Nut M19 zinc", Decimal("6.000"), Decimal("9.00"), False)
    plan_again = plan("products", "\n".join(changed).encode())
    assert plan_again.counts["unchanged"] == 5000


def test_changed_numbers_dates_flags_and_emptied_cells_are_written_on_every_kind(db, make, actor):
    """Updates of every type of cell (decimals, dates, yes/no, an emptied date or number), as PostgreSQL
    writes them in one UPDATE ... FROM VALUES per chunk and SQLite a row at a time."""
    _seed_every_kind(db, make, actor)
    run("stock", b"sku,on_hand,incoming,incoming_date\nSAW-1,7.25,,\nSAW-2,3,40,2026-05-02\n", actor, db)
    run("tier_prices", b"sku,tier,price\nSAW-1,STD,13.10\nSAW-1,TRADE,11\nSAW-2,STD,29.99\n", actor, db)
    run("price_breaks", b"sku,tier,min_qty,price\nSAW-1,,10,11.25\nSAW-1,TRADE,10,9.5\n", actor, db)
    run("promotions", b"name,sku,category,discount_percent,starts_on,ends_on,is_active\n"
                      b"Spring,,saws,12.5,,2026-04-30,no\nAll,,,3,2026-01-01,,yes\n", actor, db)
    run("contract_prices", b"company,sku,price,valid_from,valid_until\nC-1,SAW-1,8.5,2026-01-01,\n"
                           b"C-1,SAW-1,7,2027-01-01,2027-06-30\n", actor, db)
    db.session.expire_all()
    stock = {s.product.sku: (s.on_hand, s.incoming, s.incoming_date)
             for s in db.session.execute(select(StockLevel)).scalars()}
    assert stock == {"SAW-1": (Decimal("7.25"), 0, None), "SAW-2": (Decimal(3), Decimal(40), date(2026, 5, 2))}
    assert sorted((p.product.sku, p.tier.code, p.price) for p in db.session.execute(select(ProductPrice)).scalars()) == [
        ("SAW-1", "STD", Decimal("13.10")), ("SAW-1", "TRADE", Decimal(11)), ("SAW-2", "STD", Decimal("29.99"))]
    assert sorted((b.tier.code if b.tier else "", b.price) for b in db.session.execute(select(PriceBreak)).scalars()) == [
        ("", Decimal("11.25")), ("TRADE", Decimal("9.5"))]
    promotions = {p.name: (p.discount_percent, p.starts_on, p.ends_on, p.is_active)
                  for p in db.session.execute(select(Promotion)).scalars()}
    assert promotions == {"Spring": (Decimal("12.5"), None, date(2026, 4, 30), False),
                          "All": (Decimal(3), date(2026, 1, 1), None, True)}
    contracts = sorted((c.valid_from, c.price, c.valid_until) for c in db.session.execute(select(ContractPrice)).scalars())
    assert contracts == [(date(2026, 1, 1), Decimal("8.5"), None), (date(2027, 1, 1), Decimal(7), date(2027, 6, 30))]
    for key in ("stock", "tier_prices", "price_breaks", "promotions", "contract_prices"):
        again = plan(key, imports.export(KINDS[key]).encode())
        assert again.lines and again.counts["unchanged"] == len(again.lines), key
