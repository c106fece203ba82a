"""Demo product pictures: small PNG tiles drawn here (no files shipped), stored like staff uploads."""
from __future__ import annotations

import io
import struct
import zlib
from functools import lru_cache

from werkzeug.datastructures import FileStorage

from portal.demo.world import DemoWorld
from portal.models import Product
from portal.services import product_images

WIDTH, HEIGHT = 160, 120
#: top-level category -> (background, shape) colours
PALETTE = {"Fasteners": ((226, 232, 240), (71, 85, 105)), "Tools": ((254, 243, 199), (180, 83, 9)),
           "Site & safety": ((220, 252, 231), (22, 101, 52))}


@lru_cache(maxsize=64)
def png(background: tuple[int, int, int], shape: tuple[int, int, int], seed: int) -> bytes:
    """A tile with a centred disc whose size depends on `seed` (so neighbours differ). Drawn pixel by
    pixel in Python (~15 ms a tile), so kept: the same arguments always give the same bytes."""
    radius = 26 + seed % 20
    rows = []
    for y in range(HEIGHT):
        row = bytearray(b"\x00")
        for x in range(WIDTH):
            inside = (x - WIDTH // 2) ** 2 + (y - HEIGHT // 2) ** 2 <= radius * radius
            row += bytes(shape if inside else background)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))


def seed_pictures(world: DemoWorld, count: int = 36) -> None:
    """A picture for the first products of each category (the rest show the empty tile)."""
    shown = [p for p in world.products if p.visibility == "all"][:count]
    for index, product in enumerate(shown):
        background, shape = PALETTE.get(_top(product), ((241, 245, 249), (15, 94, 110)))
        upload = FileStorage(io.BytesIO(png(background, shape, index)), filename="picture.png")
        product_images.add(product, upload, alt_text=product.name)


def _top(product: Product) -> str:
    category = product.category
    while category is not None and category.parent is not None:
        category = category.parent
    return category.name if category is not None else ""
