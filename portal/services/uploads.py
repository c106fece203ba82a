"""Uploaded files can never run script in the portal's origin.

`store(file, kind=...)` keeps a file only when its content (never its name or declared type) is of a
kind's formats, under a generated name. `serve(stored_name)` answers with the type read from the content
again, `nosniff` and a sandboxing CSP; only PNG, JPEG, GIF and WebP are shown inline, anything else
(an SVG stored before this rule, say) is an `application/octet-stream` attachment.
"""
from __future__ import annotations

import io
import secrets
from dataclasses import dataclass

from flask import Response, current_app, send_file
from PIL import Image, UnidentifiedImageError
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

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


KINDS = {
    "image": Kind("an image (PNG, JPEG, GIF or WebP)", frozenset(RASTER), 2 * 1024 * 1024),
    "product_picture": Kind("a PNG, JPEG, GIF or WebP picture", frozenset(RASTER), 5 * 1024 * 1024),
}


class UploadError(ValueError):
    """The file is refused; the message completes "The file …" / "Logo …"."""


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


def store(file: FileStorage, kind: str = "image") -> str:
    """Check an uploaded file by its content and keep it; returns the generated stored name."""
    spec = KINDS[kind]
    data = file.stream.read(spec.max_bytes + 1)
    if len(data) > spec.max_bytes:
        raise UploadError(f"is too large: at most {spec.max_bytes // (1024 * 1024)} MB")
    fmt = sniff(data)
    if fmt not in spec.formats:
        raise UploadError(f"must be {spec.label}")
    if contains_markup(data):
        raise UploadError(f"must be {spec.label} (this file also contains web page code)")
    _check_decodes(data, fmt, spec)
    name = secrets.token_hex(16) + RASTER[fmt][1]
    storage.write(current_app, name, data)
    return name


def contains_markup(data: bytes) -> bool:
    lowered = data.lower()
    return any(tag in lowered for tag in MARKUP)


def _check_decodes(data: bytes, fmt: str, spec: Kind) -> None:
    """The whole file is a readable image of the announced format and a sane size."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != PILLOW_FORMATS[fmt] or image.width * image.height > spec.max_pixels:
                raise UploadError(f"must be {spec.label}")
            image.verify()
    except UploadError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise UploadError(f"must be {spec.label} (this file cannot be read as one)") from exc


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
        response.cache_control.public = False
        response.cache_control.private = True
    return response
