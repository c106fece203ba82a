"""Objects the catalog pages take, made for one company (the tenant-isolation matrix uses these).

A product is "a company's" when only that company may see it (restricted visibility): every other
company, and guests, must get 404 for it and for its pictures.
"""
from __future__ import annotations

import base64
import io
import secrets
from decimal import Decimal

from werkzeug.datastructures import FileStorage

from portal.extensions import db
from portal.models import Company, PriceTier, Product, ProductPrice, ProductVisibility, StockLevel
from portal.services import product_images

#: a 1x1 PNG
PIXEL = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def _restricted_product(company: Company) -> Product:
    tier = db.session.query(PriceTier).filter_by(is_default=True).first()
    product = Product(sku=f"ONLY-{company.code}-{secrets.token_hex(3)}", name=f"Made for {company.name}", unit="pcs",
                      visibility=ProductVisibility.restricted, guest_visible=False)
    product.visible_to_companies.append(company)
    if tier is not None:
        product.prices.append(ProductPrice(tier=tier, price=Decimal("10.00"), currency="EUR"))
    product.stock = StockLevel(on_hand=Decimal(5))
    db.session.add(product)
    db.session.flush()
    return product


def make_product(company: Company) -> int:
    return _restricted_product(company).id


def make_product_image(company: Company) -> int:
    picture = FileStorage(io.BytesIO(PIXEL), filename="x.png")
    return product_images.add(_restricted_product(company), picture).id
