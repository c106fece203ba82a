"""Ticket attachments with real files: size limits, types by content, names, storage and downloads."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from portal.models import TicketAttachment
from portal.services import tickets, uploads
from tests.ticket_helpers import HTML, PDF, SVG, flashes, open_ticket, png_bytes, ticket_count


@pytest.fixture
def client(testapp, login, make):
    acme = make.company(name="ACME Tools")
    login(testapp, make.contact(acme, role="Buyer", email="bea@acme.example"))
    return testapp


def stored(db) -> list[TicketAttachment]:
    db.session.expire_all()
    return list(db.session.execute(select(TicketAttachment).order_by(TicketAttachment.id)).scalars())


def test_pdf_png_text_and_csv_are_kept_under_generated_names_outside_the_web_root(db, app, client):
    res = open_ticket(client, files=(("scan.pdf", PDF), ("photo.png", png_bytes()), ("notes.txt", b"Box 3 torn\n"),
                                     ("lines.csv", b"sku,qty\nA1,2\n")))
    assert res.status_int == 302, flashes(res)
    files = stored(db)
    assert [f.filename for f in files] == ["scan.pdf", "photo.png", "notes.txt", "lines.csv"]
    folder = Path(app.config["UPLOAD_DIR"]).resolve()
    static = Path(app.static_folder).resolve()
    for f in files:
        assert f.stored_name != f.filename and len(f.stored_name.split(".")[0]) == 32
        path = (folder / f.stored_name).resolve()
        assert path.is_file() and static not in path.parents


@pytest.mark.parametrize("name, data, why", [
    ("invoice.png", HTML, "must be a PDF, PNG, JPEG, plain text or CSV file"),
    ("logo.svg", SVG, "this file also contains web page code"),
    ("page.txt", HTML, "this file also contains web page code"),
    ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00", "must be a PDF, PNG"),
])
def test_files_are_judged_by_content_not_name_and_refusal_saves_nothing(db, client, name, data, why):
    res = open_ticket(client, files=(("fine.pdf", PDF), (name, data)))
    assert res.status_int == 400
    message = flashes(res)
    assert why in message and "Nothing was sent." in message
    assert ticket_count(db) == 0 and stored(db) == []


def test_a_file_over_the_limit_is_a_form_message(db, client):
    res = open_ticket(client, files=(("big.txt", b"a" * (5 * 1024 * 1024 + 1)),))
    assert res.status_int == 400
    assert "is too large: at most 5 MB" in flashes(res)
    assert ticket_count(db) == 0


def test_a_request_over_the_upload_limit_is_a_413_page_with_a_message(db, app, client):
    res = open_ticket(client, files=(("huge.txt", b"a" * (app.config["MAX_CONTENT_LENGTH"] + 1)),))
    assert res.status_int == 413
    assert "What you sent is too large" in res.text and "Nothing was saved" in res.text
    assert ticket_count(db) == 0


def test_too_many_files_are_refused(db, client):
    res = open_ticket(client, files=tuple((f"n{i}.txt", b"note\n") for i in range(tickets.MAX_FILES + 1)))
    assert res.status_int == 400
    assert f"Attach at most {tickets.MAX_FILES} files" in flashes(res)
    assert ticket_count(db) == 0


def test_a_path_in_the_name_never_reaches_the_disk_or_the_download(db, app, client):
    res = open_ticket(client, files=(("../../../etc/pass wd.txt", b"hello\n"),))
    assert res.status_int == 302, flashes(res)
    [f] = stored(db)
    assert f.filename == "pass-wd.txt"
    assert not (Path(app.config["UPLOAD_DIR"]).parent / "etc").exists()
    download = client.get(f"/tickets/files/{f.id}")
    assert download.headers["Content-Disposition"] == "attachment; filename=pass-wd.txt"
    assert download.headers["Content-Type"] == "application/octet-stream"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]


def test_an_image_is_downloaded_too_never_shown_inline(db, client):
    open_ticket(client, files=(("photo.png", png_bytes()),))
    [f] = stored(db)
    download = client.get(f"/tickets/files/{f.id}")
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("name, fmt, expected", [
    ("..\\..\\windows\\evil.pdf", "pdf", "evil.pdf"),
    ("rapport été.pdf", "pdf", "rapport-ete.pdf"),
    ("page.html", "text", "page.txt"),
    ("", "png", "attachment.png"),
    ("\u202egnp.exe", "png", "gnp.png"),
])
def test_download_names_are_plain_ascii_with_the_contents_extension(name, fmt, expected):
    assert uploads.safe_filename(name, fmt) == expected
