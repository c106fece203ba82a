"""Figures kept per company so the dashboard does not read a company's whole history on every request."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import MONEY, Model


class CompanyFigures(Model):
    """A company's lifetime order figures in one currency (portal.services.company_figures keeps them)."""

    __tablename__ = "company_figures"
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), primary_key=True)
    #: ISO 4217 code of sales_total
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    #: orders placed and not cancelled or rejected
    orders_count: Mapped[int] = mapped_column(Integer, default=0)
    #: what those orders are worth (their stored totals)
    sales_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
