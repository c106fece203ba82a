"""Machines that talk to the portal: API keys of integrations (a carrier, a warehouse system)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Model, created_column


class IntegrationKey(Model):
    """One integration's API key. The key is shown to staff once; the database keeps its SHA-256 only."""

    __tablename__ = "integration_key"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: who uses it, in staff's words ("DHL tracking feed")
    name: Mapped[str] = mapped_column(String(120))
    #: the key's first characters, to find the row without comparing every hash; shown to staff
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    #: hex SHA-256 of the whole key
    key_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = created_column()
    last_used_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_dt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    created_by: Mapped[User | None] = relationship()  # noqa: F821

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
