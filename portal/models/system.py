"""Instance-wide state: settings values and document number sequences."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Model, utcnow


class SettingValue(Model):
    """One saved setting; keys and defaults are declared in portal.settings."""

    __tablename__ = "setting_value"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
    updated_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class DocumentSequence(Model):
    """The last number handed out per prefix and year, e.g. ("SO", 2026) -> 41."""

    __tablename__ = "document_sequence"
    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class ImportMapping(Model):
    """The column mapping staff chose last for one kind of import (portal.services.imports)."""

    __tablename__ = "import_mapping"
    #: the import kind, e.g. "products"
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: column of the kind -> header of the file it was read from
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
