"""`portal backup` / `portal restore`: a backup taken while rows are written restores to the same portal;
a damaged or mismatched archive is refused before anything is written."""
from __future__ import annotations

import io
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, inspect, select, text
from werkzeug.datastructures import FileStorage

from portal.blueprints.shop.isolation import PIXEL
from portal.extensions import db as _db
from portal.models import Address, Company
from portal.services import pg_tools, product_images, storage
from portal.services.backup import create_backup, prune
from portal.services.backup_archive import BackupError, Manifest, open_archive, write_archive
from portal.services.restore import _script, restore_backup
from tests.factories import Factories
from tests.fixtures_apps import sign_in


def _write_pairs(engine, stop: threading.Event, written: list[int]) -> None:
    """Keep committing a company and its address in one transaction until told to stop."""
    n = 0
    while not stop.is_set():
        n += 1
        with engine.begin() as conn:
            company_id = conn.execute(Company.__table__.insert().values(
                code=f"W-{n:05d}", name=f"Written during the backup {n}")).inserted_primary_key[0]
            conn.execute(Address.__table__.insert().values(company_id=company_id, line1="Dock 1", city="Gouda",
                                                           postcode="2801 AA"))
        written.append(n)


def _row_counts() -> dict[str, int]:
    tables = ["alembic_version", *(t.name for t in _db.metadata.sorted_tables)]
    with _db.engine.connect() as conn:
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}


def _main_text(client, path: str) -> str:
    res = client.get(path)
    assert res.status_int == 200, path
    return BeautifulSoup(res.text, "html.parser").find("main").get_text(" ", strip=True)


def _portal_pages(app, email: str, paths: list[str]) -> dict[str, str]:
    with app.app_context():  # a `g` of its own (WebTest's requests reuse the app context around them)
        client = sign_in(app, email)
        return {path: _main_text(client, path) for path in paths}


@contextmanager
def _recorded_at_head():
    """The suite's database (tables from the models) as `portal init-db` leaves it: with its migration
    history. Whatever happens in the block, the suite gets its tables back and loses the history."""
    with _db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        conn.execute(text("INSERT INTO alembic_version VALUES (:head)"), {"head": _script().get_current_head()})
    try:
        yield
    finally:
        _db.session.remove()
        if not inspect(_db.engine).has_table("company"):  # lost and not restored: the suite needs its tables
            _db.create_all()
        with _db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.mark.committed
def test_backup_taken_during_writes_restores_every_row_and_the_same_pages(app, committed_db, tmp_path):
    source = app
    with _recorded_at_head():
        make = Factories(_db)
        acme = make.company(name="Acme Hardware")
        anna = make.contact(acme, role="Admin", email="anna@acme.example")
        order = make.order(acme, total="242.00")
        invoice = make.invoice(acme, total="99.50")
        make.quote(acme)
        make.ticket(acme, opened_by=anna)
        product = make.product(name="Hex bolt M8")
        image = product_images.add(product, FileStorage(io.BytesIO(PIXEL), filename="bolt.png"))
        _db.session.commit()
        image_id, order_id, invoice_id = image.id, order.id, invoice.id

        stop, written = threading.Event(), []
        writer = threading.Thread(target=_write_pairs, args=(_db.engine, stop, written))
        writer.start()
        try:
            while len(written) < 3 and writer.is_alive():
                stop.wait(0.005)
            before_backup = len(written)
            uploads = sum(p.is_file() for p in storage.upload_dir(source).iterdir())  # this one's and earlier tests'
            archive = create_backup(source, tmp_path / "backups")
        finally:
            stop.set()
            writer.join()
        assert before_backup >= 3
        assert archive.stat().st_mode & 0o077 == 0, "the archive holds every customer's data: owner only"
        source_counts = _row_counts()
        paths = ["/dashboard", f"/orders/{order_id}", "/invoices/", f"/invoices/{invoice_id}", "/quotes/", "/tickets/"]
        source_pages = _portal_pages(source, "anna@acme.example", paths)

        # the instance is lost: an empty database and no uploads; the backup brings it back
        _db.session.remove()
        _db.drop_all()
        with _db.engine.begin() as conn:
            conn.execute(text("DROP TABLE alembic_version"))
        for upload in storage.upload_dir(source).iterdir():
            if upload.is_file():  # the uploads, not a folder of another feature's (imports keep theirs there)
                upload.unlink()
        done = restore_backup(source, archive)
        assert done.uploads == uploads and not done.needs_upgrade
        restored_counts = _row_counts()
        companies = _db.session.scalar(select(func.count()).where(Company.code.like("W-%")))

        # the archive is one moment: each pair written whole or not at all, none written after the backup
        addresses = restored_counts["address"] - (source_counts["address"] - len(written))
        assert before_backup <= companies == addresses <= len(written)
        differing = {t for t in source_counts if source_counts[t] != restored_counts[t]}
        assert differing <= {"company", "address"}, differing
        assert _portal_pages(source, "anna@acme.example", paths) == source_pages
        with source.app_context():
            assert sign_in(source, "anna@acme.example").get(f"/shop/image/{image_id}").body == PIXEL


def _small_archive(tmp_path: Path, engine: str, revision: str) -> Path:
    member = tmp_path / "database"
    member.write_bytes(b"not really a database, but checksummed like one" * 20)
    upload = tmp_path / "upload"
    upload.write_bytes(PIXEL)
    archive = tmp_path / f"portal-backup-{engine}.tar.gz"
    manifest = Manifest(engine=engine, schema_revision=revision, app_version="0.1.0", created="2026-12-01T02:00:00")
    write_archive(archive, manifest, {manifest.database_member: member,
                                      "uploads/0123456789abcdef0123456789abcdef.png": upload})
    return archive


def test_a_changed_byte_anywhere_in_the_archive_is_refused(app, db, tmp_path):
    archive = _small_archive(tmp_path, db.engine.dialect.name, _script().get_current_head())
    original = archive.read_bytes()
    # every byte of the gzip header and its checksum comment, then positions spread over the rest
    positions = sorted({*range(100), *range(100, len(original), 7), *range(len(original) - 8, len(original))})
    damaged, workdir = tmp_path / "damaged.tar.gz", tmp_path / "unpacked"
    workdir.mkdir()
    for position in positions:
        data = bytearray(original)
        data[position] ^= 0x01
        damaged.write_bytes(bytes(data))
        with pytest.raises(BackupError, match="is damaged or not a Portal backup"):
            open_archive(damaged, workdir)

    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(original[:-20])
    result = app.test_cli_runner().invoke(args=["restore", str(cut)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [(
        f"Error: {cut.name} is damaged or not a Portal backup: its content does not match the checksum in its "
        "header (it was changed or cut short after it was written).")]
    # the intact archive passes every check of its bytes and reaches the next refusal
    with pytest.raises(BackupError, match="is not empty"):
        restore_backup(app, archive)


def test_restore_refuses_an_archive_from_a_newer_portal_or_another_engine(app, db, tmp_path):
    engine = db.engine.dialect.name
    newer = _small_archive(tmp_path, engine, "0f0f0f0f0f0f")
    with pytest.raises(BackupError, match="schema revision 0f0f0f0f0f0f is not in this version's migration"):
        restore_backup(app, newer)
    other = "postgresql" if engine == "sqlite" else "sqlite"
    with pytest.raises(BackupError, match=f"holds a {other} database but DATABASE_URL points at {engine}"):
        restore_backup(app, _small_archive(tmp_path, other, _script().get_current_head()))
    assert db.session.scalar(select(func.count()).select_from(Company)) == 0  # nothing was written


def test_backup_command_refuses_a_database_without_migration_history(app, db, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path)])
    assert result.exit_code == 1
    assert "has no migration history (alembic_version); run `portal init-db`" in result.output
    assert list(tmp_path.iterdir()) == []  # no half-written archive left behind


def test_keep_deletes_only_the_oldest_backups(tmp_path):
    names = [f"portal-backup-2026120{day}-021500.tar.gz" for day in range(1, 6)]
    for name in [*names, "notes.txt"]:
        (tmp_path / name).write_text("x")
    deleted = prune(tmp_path, keep=2)
    assert [p.name for p in deleted] == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[3:], "notes.txt"])


def test_pg_dump_older_than_the_server_is_named_with_what_to_install(monkeypatch):
    monkeypatch.setattr(pg_tools, "_tool", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(pg_tools, "tool_major", lambda path: 15)
    monkeypatch.setattr(pg_tools, "server_major", lambda engine: 16)
    with pytest.raises(BackupError, match=r"^pg_dump 15 is older than the PostgreSQL 16 server; install the "
                                          r"PostgreSQL 16 client tools \(e.g. postgresql-client-16\)"):
        pg_tools.checked_tool("pg_dump", engine=None)
    monkeypatch.setattr(pg_tools, "tool_major", lambda path: 17)  # newer tools read older servers
    assert pg_tools.checked_tool("pg_dump", engine=None) == "/usr/bin/pg_dump"
