"""Issue 7 item 6: an uploaded file can never run script in the portal's origin.

Hostile files (SVG with script, HTML named .png, polyglots, oversized files, path tricks) are refused
by content when uploaded; whatever is stored is served with nosniff, a sandboxing CSP and a safe type.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from webtest import TestApp, Upload
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from portal import settings
from portal.services import storage, uploads
from tests.test_admin_settings import settings_form, staff_app, stored  # noqa: F401 (fixture)

SVG_WITH_SCRIPT = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
                   b"<script>alert(document.domain)</script></svg>")
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def image(fmt: str, size=(4, 4)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


PNG = image("PNG")
#: (label, file name, declared type, content)
HOSTILE = [
    ("svg with script", "logo.svg", "image/svg+xml", SVG_WITH_SCRIPT),
    ("svg named png", "logo.png", "image/png", SVG_WITH_SCRIPT),
    ("html disguised as png", "logo.png", "image/png", HTML),
    ("gif header then script", "logo.gif", "image/gif", b"GIF89a/*" + HTML + b"*/=1;"),
    ("png with html appended", "logo.png", "image/png", PNG + HTML),
    ("jpeg header then html", "logo.jpg", "image/jpeg", b"\xff\xd8\xff\xe0" + HTML),
    ("png header, not an image", "logo.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ("pdf", "logo.png", "image/png", b"%PDF-1.4\n1 0 obj<</JS (app.alert(1))>>"),
    ("oversized png", "logo.png", "image/png", PNG + b"\x00" * (2 * 1024 * 1024)),
    ("empty", "logo.png", "image/png", b""),
]


def file_storage(name: str, data: bytes, mimetype: str = "image/png") -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name, content_type=mimetype)


def stored_files(app) -> set[str]:
    return {p.name for p in storage.upload_dir(app).iterdir()}


# --- the service -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("label", "name", "mimetype", "data"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_file_is_refused_and_nothing_is_stored(app, db, label, name, mimetype, data):
    before = stored_files(app)
    with pytest.raises(uploads.UploadError):
        uploads.store(file_storage(name, data, mimetype), kind="image")
    assert stored_files(app) == before


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_raster_images_are_kept_under_a_generated_name_typed_by_content(app, db, fmt):
    data = image(fmt)
    name = uploads.store(file_storage("holiday.svg", data, "image/svg+xml"), kind="image")
    assert storage.STORED_NAME.fullmatch(name)
    assert name.endswith(uploads.RASTER[fmt.lower()][1]) and "holiday" not in name
    assert (storage.upload_dir(app) / name).read_bytes() == data


def test_the_uploaded_file_name_never_reaches_the_disk(app, db, tmp_path):
    upload_dir = storage.upload_dir(app)
    for evil in ["../../../evil.png", "/etc/passwd.png", "..\\..\\evil.png", "logo.png\x00.html", "%2e%2e/x.png"]:
        name = uploads.store(file_storage(evil, PNG), kind="image")
        assert (upload_dir / name).is_file()
    assert not (upload_dir.parent / "evil.png").exists() and not (upload_dir.parent.parent / "evil.png").exists()


@pytest.mark.parametrize("name", ["../secret_key", "..%2fsecret_key", "/etc/passwd", "uploads/../x.png",
                                  "0123456789abcdef.png/../../x", "", "0123456789ABCDEF.png", ".png"])
def test_only_generated_names_are_served(app, db, name):
    with app.test_request_context(), pytest.raises(NotFound):
        uploads.serve(name)


def test_the_one_upload_service_serves_every_stored_file():
    """No other module sends files from disk (send_file / send_from_directory)."""
    root = Path(uploads.__file__).parent.parent
    senders = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                     if "send_from_directory" in p.read_text() or "send_file(" in p.read_text())
    assert senders == ["services/uploads.py"]


# --- through the portal: the logo -------------------------------------------------------------------------

def _assert_cannot_run_script(res):
    assert res.headers["X-Content-Type-Options"] == "nosniff"
    assert res.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_an_uploaded_logo_is_an_inline_image_that_cannot_run_script(app, staff_app, testapp):  # noqa: F811
    form = settings_form(staff_app)
    form["branding.logo"] = Upload("logo.png", PNG, "image/png")
    assert "Settings saved." in form.submit().follow().text
    res = TestApp(testapp.app).get("/brand/logo")
    assert res.body == PNG and res.content_type == "image/png"
    assert "attachment" not in res.headers.get("Content-Disposition", "")
    _assert_cannot_run_script(res)


@pytest.mark.parametrize(("label", "name", "mimetype", "data"), HOSTILE[:6], ids=[h[0] for h in HOSTILE[:6]])
def test_a_hostile_logo_is_refused_on_the_settings_screen(app, staff_app, label, name, mimetype, data):  # noqa: F811
    before = stored_files(app)
    form = settings_form(staff_app)
    form["branding.logo"] = Upload(name, data, mimetype)
    res = form.submit()
    assert "must be an image" in res.html.find(id="branding.logo_path-error").text
    assert stored("branding.logo_path") == ""
    assert stored_files(app) == before


def test_an_oversized_logo_is_refused_on_the_settings_screen(app, staff_app):  # noqa: F811
    form = settings_form(staff_app)
    form["branding.logo"] = Upload("logo.png", PNG + b"\x00" * (3 * 1024 * 1024), "image/png")
    res = form.submit()
    assert "too large" in res.html.find(id="branding.logo_path-error").text
    assert stored("branding.logo_path") == ""


def test_an_svg_stored_before_this_rule_is_only_ever_a_download(app, db, testapp):
    """A logo uploaded when SVG was accepted: opening it directly must not run its script."""
    name = "0123456789abcdef.svg"
    (storage.upload_dir(app) / name).write_bytes(SVG_WITH_SCRIPT)
    settings.save({"branding.logo_path": name})
    res = testapp.get("/brand/logo")
    assert res.content_type == "application/octet-stream"
    assert res.headers["Content-Disposition"].startswith("attachment")
    _assert_cannot_run_script(res)


def test_a_stored_name_outside_the_upload_folder_is_not_served(app, db, testapp):
    outside = storage.upload_dir(app).parent / "secret_key"
    outside.write_bytes(PNG)  # a real file there: only the name check keeps it from being served
    try:
        settings.save({"branding.logo_path": "../secret_key"})
        testapp.get("/brand/logo", status=404)
    finally:
        outside.unlink()


@pytest.mark.parametrize(("suffix", "data"), [(".png", PNG + HTML), (".png", HTML), (".html", HTML)])
def test_a_hostile_file_stored_before_these_rules_is_a_download(app, db, testapp, suffix, data):
    name = "fedcba9876543210" + suffix
    (storage.upload_dir(app) / name).write_bytes(data)
    settings.save({"branding.logo_path": name})
    res = testapp.get("/brand/logo")
    assert res.content_type == "application/octet-stream"
    assert res.headers["Content-Disposition"].startswith("attachment")
    _assert_cannot_run_script(res)


def test_a_jpeg_stored_with_the_old_extension_is_still_shown(app, db, testapp):
    name = "fedcba9876543211.jpeg"
    (storage.upload_dir(app) / name).write_bytes(image("JPEG"))
    settings.save({"branding.logo_path": name})
    res = testapp.get("/brand/logo")
    assert res.content_type == "image/jpeg" and "attachment" not in res.headers.get("Content-Disposition", "")
    _assert_cannot_run_script(res)
