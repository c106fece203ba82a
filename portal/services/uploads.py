"""Uploaded files can never run script in the portal's origin.

`store(file, kind=...)` keeps a file only when its content (never its name or declared type) is of a
kind's formats, under a generated name. `serve(stored_name)` answers with the type read from the content
again, `nosniff` and a sandboxing CSP; only PNG, JPEG, GIF and WebP are shown inline, anything else
(an SVG stored before this rule, say) is an `application/octet-stream` attachment.

Documents (kind "document": PDF, PNG, JPEG, plain text or CSV, e.g. support ticket attachments) are
checked the same way and always served as downloads: `download(stored_name, filename)`.
"""
from __future__ import annotations

import io
import re
import secrets
import unicodedata
from dataclasses import dataclass

from flask import Response, current_app, send_file
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from portal.i18n import N_
from portal.services import storage

#: raster formats a browser only ever draws: format -> (Content-Type, extension)
RASTER = {"png": ("image/png", ".png"), "jpeg": ("image/jpeg", ".jpg"), "gif": ("image/gif", ".gif"),
          "webp": ("image/webp", ".webp")}
#: what Pillow calls them
PILLOW_FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}
#: markup that makes a file a web page in a browser that sniffs (polyglots hide it after an image header)
MARKUP = (b"<script", b"<html", b"<svg", b"<!doctype html", b"<iframe", b"<body", b"<object", b"<embed",
          b"<meta http-equiv", b"javascript:")
#: every served upload: no sniffing into HTML, no script, no plugins, no same-origin access
SERVE_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox",
                 "Cross-Origin-Resource-Policy": "same-origin"}


@dataclass(frozen=True)
class Kind:
    """What one sort of upload may be."""

    label: str
    formats: frozenset[str]
    max_bytes: int
    max_pixels: int = 40_000_000


#: document formats besides the rasters: format -> (Content-Type, extension)
DOCUMENT = {"pdf": ("application/pdf", ".pdf"), "text": ("text/plain", ".txt"), "csv": ("text/csv", ".csv")}
#: every format a stored file may have: format -> (Content-Type, extension)
FORMATS = {**RASTER, **DOCUMENT}

KINDS = {
    "image": Kind(N_("an image (PNG, JPEG, GIF or WebP)"), frozenset(RASTER), 2 * 1024 * 1024),
    "product_picture": Kind(N_("a PNG, JPEG, GIF or WebP picture"), frozenset(RASTER), 5 * 1024 * 1024),
    "document": Kind(N_("a PDF, PNG, JPEG, plain text or CSV file"), frozenset({"pdf", "png", "jpeg", "text", "csv"}),
                     5 * 1024 * 1024),
}


class UploadError(ValueError):
    """The file is refused; the message completes "The file …" / "Logo …". `reason` (too_large, wrong_kind,
    web_code, unreadable) and `spec` let check_attachments say it in a whole sentence of the reader's language."""

    def __init__(self, message: str, reason: str | None = None, spec: Kind | None = None):
        super().__init__(message)
        self.reason, self.spec = reason, spec


#: the whole sentence about a refused attachment, per reason (%(name)s the file, %(kind)s what it must be)
ATTACHMENT_REFUSALS = {
    "too_large": N_("The file %(name)s is too large: at most %(mb)s MB."),
    "wrong_kind": N_("The file %(name)s must be %(kind)s."),
    "web_code": N_("The file %(name)s must be %(kind)s (this file also contains web page code)."),
    "unreadable": N_("The file %(name)s must be %(kind)s (this file cannot be read as one)."),
}


def sniff(data: bytes) -> str | None:
    """The format a file's first bytes announce (None for anything not recognised)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def sniff_document(data: bytes, filename: str = "") -> str | None:
    """The format of a document by its content: a raster, "pdf", or "text"/"csv" for UTF-8 text without
    control characters (the name only tells a CSV from other text, never text from anything else)."""
    fmt = sniff(data)
    if fmt is not None:
        return fmt
    if data.startswith(b"%PDF-"):
        return "pdf"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.strip() or any(unicodedata.category(c) == "Cc" and c not in "\t\r\n" for c in text):
        return None
    return "csv" if filename.lower().endswith(".csv") else "text"


def check(file: FileStorage, kind: str = "image") -> tuple[bytes, str]:
    """Read an uploaded file and check it by its content: (data, format), or UploadError. Stores nothing."""
    spec = KINDS[kind]
    data = file.stream.read(spec.max_bytes + 1)
    if len(data) > spec.max_bytes:
        raise UploadError(f"is too large: at most {spec.max_bytes // (1024 * 1024)} MB", "too_large", spec)
    fmt = sniff_document(data, file.filename or "") if kind == "document" else sniff(data)
    if fmt not in spec.formats:
        raise UploadError(f"must be {spec.label}", "wrong_kind", spec)
    if contains_markup(data):
        raise UploadError(f"must be {spec.label} (this file also contains web page code)", "web_code", spec)
    if fmt in RASTER:
        _check_decodes(data, fmt, spec)
    return data, fmt


@dataclass(frozen=True)
class CheckedFile:
    """An attachment checked by its content, not stored yet."""

    data: bytes
    fmt: str
    filename: str


def check_attachments(files, most: int, too_many: str) -> list[CheckedFile]:
    """The chosen attachments (tickets, returns) checked by content as documents, nothing stored yet.
    Raises UploadError with `too_many` when more than `most` were chosen, or naming the refused file."""
    chosen = [f for f in files if f is not None and f.filename]
    if len(chosen) > most:
        raise UploadError(too_many)
    checked = []
    for file in chosen:
        shown = safe_filename(file.filename, "text")[:-4]
        try:
            data, fmt = check(file, "document")
        except UploadError as exc:
            raise UploadError(_refusal(shown, exc)) from exc
        checked.append(CheckedFile(data, fmt, safe_filename(file.filename, fmt)))
    return checked


def _refusal(shown: str, exc: UploadError) -> str:
    """"The file <name> …." about a refused attachment, in the reader's language."""
    if exc.reason not in ATTACHMENT_REFUSALS or exc.spec is None:
        return f"The file {shown} {exc}."
    return _(ATTACHMENT_REFUSALS[exc.reason], name=shown, mb=exc.spec.max_bytes // (1024 * 1024),
             kind=_(exc.spec.label))


def keep(data: bytes, fmt: str) -> str:
    """Write checked content under a new generated name; returns the name."""
    name = secrets.token_hex(16) + FORMATS[fmt][1]
    storage.write(current_app, name, data)
    return name


def store(file: FileStorage, kind: str = "image") -> str:
    """Check an uploaded file by its content and keep it; returns the generated stored name."""
    return keep(*check(file, kind))


def safe_filename(name: str | None, fmt: str, limit: int = 100) -> str:
    """A download name made from an uploader's file name: no path, ASCII letters, digits, dot, dash and
    underscore only, ending in the extension of the format the content has."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-._")[:limit] or "attachment"
    return stem + FORMATS[fmt][1]


def contains_markup(data: bytes) -> bool:
    lowered = data.lower()
    return any(tag in lowered for tag in MARKUP)


def _check_decodes(data: bytes, fmt: str, spec: Kind) -> None:
    """The whole file is a readable image of the announced format and a sane size."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != PILLOW_FORMATS[fmt] or image.width * image.height > spec.max_pixels:
                raise UploadError(f"must be {spec.label}", "wrong_kind", spec)
            image.verify()
    except UploadError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise UploadError(f"must be {spec.label} (this file cannot be read as one)", "unreadable", spec) from exc


def serve(stored_name: str, max_age: int = 300, private: bool = False) -> Response:
    """A stored upload as a response that cannot run script (NotFound for unknown names).

    `private`: shared caches keep no copy (a file not everyone may see)."""
    path = storage.path_of(current_app, stored_name)
    if path is None:
        raise NotFound()
    data = path.read_bytes()
    fmt = sniff(data)
    # checked again here: files stored before these rules (an SVG, a polyglot) become downloads
    inline = fmt in RASTER and not contains_markup(data)
    if inline:
        response = send_file(path, mimetype=RASTER[fmt][0], max_age=max_age)
    else:
        response = send_file(path, mimetype="application/octet-stream", as_attachment=True,
                             download_name=f"download{path.suffix}", max_age=max_age)
    response.headers.update(SERVE_HEADERS)
    if private:
        _private(response)
    return response


def download(stored_name: str, filename: str) -> Response:
    """A stored document always as a download under `filename` (made safe again), never shown inline;
    not kept by shared caches (only some people may see it). NotFound for unknown names."""
    path = storage.path_of(current_app, stored_name)
    if path is None:
        raise NotFound()
    fmt = next((f for f, (_, ext) in FORMATS.items() if ext == path.suffix), None)
    mimetype = FORMATS[fmt][0] if fmt in ("pdf", "png", "jpeg") else "application/octet-stream"
    response = send_file(path, mimetype=mimetype, as_attachment=True,
                         download_name=safe_filename(filename, fmt) if fmt else "download", max_age=0)
    response.headers.update(SERVE_HEADERS)
    _private(response)
    return response


def _private(response: Response) -> None:
    response.cache_control.public = False
    response.cache_control.private = True
