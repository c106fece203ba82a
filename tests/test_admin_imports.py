"""The back office "Import" screen (issue 12 items 1-2): upload, column mapping remembered per kind, preview
that changes nothing, apply with a report in the audit log, exports and templates through the CSV writer."""
from __future__ import annotations

from sqlalchemy import select
from webtest import Upload

from portal.models import AuditLog, Product
from tests.fixtures_admin import errors_of


def upload(admin, kind: str, filename: str, data: bytes, status: int = 200):
    form = admin.get("/admin/import/").forms["import-upload"]
    form["kind"] = kind
    form["file"] = Upload(filename, data)
    return form.submit(status=status)


def test_staff_imports_products_with_their_own_headers_and_the_mapping_is_remembered(db, admin, make):
    make.product(sku="BLT-1", name="Old bolt")
    data = "Artikel;Omschrijving\nBLT-1;Hex bolt M10\nBLT-2;Hex bolt M12\n".encode("utf-8-sig")

    mapping = upload(admin, "products", "bolts.csv", data).forms["import-mapping"]
    assert mapping["map-sku"].value == ""  # no header is called sku: staff choose
    mapping["map-sku"] = "Artikel"
    mapping["map-name"] = "Omschrijving"
    preview = mapping.submit()

    counts = preview.html.select_one("#import-counts").get_text(" ", strip=True)
    assert "1 to create" in counts and "1 to update" in counts
    shown = preview.html.select_one("#import-lines").get_text(" ", strip=True)
    assert "name: Old bolt → Hex bolt M10" in shown and "create name: Hex bolt M12" in shown
    db.session.expire_all()
    assert db.session.execute(select(Product.name).order_by(Product.sku)).scalars().all() == ["Old bolt"]

    done = preview.forms["import-apply"].submit().follow()
    assert "1 created, 1 updated, 0 unchanged" in done.text
    db.session.expire_all()
    assert db.session.execute(select(Product.name).order_by(Product.sku)).scalars().all() == [
        "Hex bolt M10", "Hex bolt M12"]
    entry = db.session.execute(select(AuditLog).where(AuditLog.action == "import.applied")).scalar_one()
    assert entry.details["file"] == "bolts.csv" and entry.details["updated"] == "1"

    again = upload(admin, "products", "bolts.csv", data).forms["import-mapping"]
    assert (again["map-sku"].value, again["map-name"].value) == ("Artikel", "Omschrijving")
    assert "2 unchanged" in again.submit().html.select_one("#import-counts").get_text(" ", strip=True)


def test_a_file_with_errors_shows_every_error_and_cannot_be_applied(db, admin, make):
    make.company(code="C-1")
    data = b"company,sku,price\nC-1,BLT-1024,9.80\nC-1,,1\n"

    preview = upload(admin, "contract_prices", "prices.csv", data).forms["import-mapping"].submit()

    assert errors_of(preview).count("line") == 2
    assert "line 2: SKU BLT-1024 unknown in contract prices" in errors_of(preview)
    assert "line 3: sku is empty" in errors_of(preview)
    assert not preview.html.select("#import-apply button")
    forced = preview.forms["import-apply"].submit(status=409)  # a crafted post applies nothing either
    assert "Nothing was imported" in forced.text


def test_wrong_files_get_a_clear_message(admin):
    res = upload(admin, "products", "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, status=400)
    assert "Excel 97-2003" in errors_of(res)
    res = upload(admin, "products", "fake.xlsx", b"PK\x03\x04 renamed text", status=400)
    assert "not a readable Excel" in errors_of(res)


def test_exports_and_templates_are_csv_downloads_in_the_import_columns(db, admin, make):
    make.product(sku="=CMD", name="@evil")
    export = admin.get("/admin/import/export/?kind=products")
    assert export.content_type == "text/csv" and "attachment" in export.headers["Content-Disposition"]
    header, row = export.text.splitlines()[:2]
    assert header.startswith("sku,name,description,category") and row.startswith("'=CMD,'@evil,")
    template = admin.get("/admin/import/template/?kind=contacts").text.splitlines()
    assert template[0].startswith("email,company,name") and len(template) == 2
    admin.get("/admin/import/export/?kind=nothing", status=404)


def test_a_staged_file_name_from_the_form_is_never_opened(db, admin):
    form = upload(admin, "categories", "c.csv", b"slug,name\ntools,Tools\n").forms["import-mapping"]
    form["token"] = "../../../etc/passwd"
    res = form.submit(status=400)
    assert "no longer here" in res.text
