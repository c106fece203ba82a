"""Product pictures uploaded by staff: checked by their content, stored under generated names.

Only PNG, JPEG, GIF and WebP are accepted, recognised by their first bytes (never by the file name
or the browser's word); the stored name carries the sniffed type, which is the type they are served
with. Small on purpose: the general upload service can replace the storage behind ``add``/``path_of``.
"""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from portal.extensions import db
from portal.models import Product, ProductImage
from portal.services.storage import upload_dir

FOLDER = "products"
MAX_BYTES = 5 * 1024 * 1024
#: extension -> content type, for the kinds accepted
TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


def sniff(head: bytes) -> str | None:
    """The image kind ("png", "jpg", "gif", "webp") from the file's first bytes; None: not one of them."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def add(product: Product, upload: FileStorage, alt_text: str = "") -> ProductImage:
    """Store an uploaded picture and attach it to the product (after its other pictures).

    Raises ValueError with a sentence for the user when the file is not an accepted image."""
    data = upload.stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError("The picture is larger than 5 MB.")
    kind = sniff(data[:16])
    if kind is None:
        raise ValueError("The file is not a PNG, JPEG, GIF or WebP picture.")
    name = f"{FOLDER}/{secrets.token_hex(16)}.{kind}"
    target = _folder() / Path(name).name
    target.write_bytes(data)
    position = max((i.position for i in product.images), default=-1) + 1
    image = ProductImage(path=name, alt_text=(alt_text or "").strip()[:200] or product.name, position=position)
    product.images.append(image)
    db.session.flush()
    return image


def path_of(image: ProductImage) -> tuple[Path, str] | None:
    """(file, content type) of a stored picture; None when the file or its type is not what we store."""
    name = Path(image.path or "")
    kind = name.suffix.lstrip(".")
    if name.parent.name != FOLDER or kind not in TYPES:
        return None
    path = _folder() / name.name
    return (path, TYPES[kind]) if path.is_file() else None


def _folder() -> Path:
    folder = upload_dir(current_app) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder
