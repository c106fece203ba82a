"""Shared column helpers: UTC timestamps, money columns."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.services import clock

MONEY = Numeric(14, 2)
QTY = Numeric(12, 3)
PERCENT = Numeric(5, 2)


def utcnow() -> datetime:
    """Now, in UTC, from the one clock (tests can freeze it)."""
    return clock.now()


def money_column(**kw) -> Mapped[Decimal]:
    return mapped_column(MONEY, nullable=False, default=Decimal("0.00"), **kw)


def currency_column() -> Mapped[str]:
    #: ISO 4217 code of the money columns beside it
    return mapped_column(String(3), nullable=False, default="EUR")


def created_column() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


Model = db.Model
