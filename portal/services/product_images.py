"""Product pictures uploaded by staff, through the one upload service (portal.services.uploads).

The picture is checked by its content (PNG, JPEG, GIF or WebP, readable, no web page code inside),
stored under a generated name and served by ``uploads.serve`` — never run as anything but an image.
"""
from __future__ import annotations

from werkzeug.datastructures import FileStorage

from portal.extensions import db
from portal.models import Product, ProductImage
from portal.services import uploads

KIND = "product_picture"


def add(product: Product, upload: FileStorage, alt_text: str = "") -> ProductImage:
    """Store an uploaded picture and attach it to the product (after its other pictures).

    Raises ValueError with a sentence for the user when the file is not an accepted picture."""
    try:
        name = uploads.store(upload, kind=KIND)
    except uploads.UploadError as exc:
        raise ValueError(f"The picture {exc}.") from exc
    position = max((i.position for i in product.images), default=-1) + 1
    image = ProductImage(path=name, alt_text=(alt_text or "").strip()[:200] or product.name, position=position)
    product.images.append(image)
    db.session.flush()
    return image


def serve(image: ProductImage):
    """The picture as a response; private caching only, as a product may be visible to some customers only."""
    return uploads.serve(image.path, private=True)
