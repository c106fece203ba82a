"""Reserving stock: one conditional UPDATE that never takes more than is available (safe in parallel)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, update

from portal.extensions import db
from portal.models import StockLevel


def reserve(product_id: int, quantity: Decimal) -> bool:
    """Reserve `quantity` of the product when that much is available; False (nothing reserved) otherwise."""
    return db.session.execute(
        update(StockLevel).where(StockLevel.product_id == product_id,
                                 StockLevel.on_hand - StockLevel.reserved >= quantity)
        .values(reserved=StockLevel.reserved + quantity).execution_options(synchronize_session=False)).rowcount == 1


def available(product_id: int) -> Decimal:
    """On hand less reserved (0 without a stock row)."""
    left = db.session.execute(select(StockLevel.on_hand - StockLevel.reserved).where(
        StockLevel.product_id == product_id)).scalar_one_or_none()
    return Decimal(left or 0)
