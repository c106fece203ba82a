"""Evidence kept for good: a quote's typed-name e-signatures, chained by hash (append-only)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Model


class QuoteSignature(Model):
    """One acceptance of one revision of a quote, with everything needed to prove what was signed.

    Rows are only ever added (portal.services.quote_acceptance); each one's record_hash covers its
    evidence and the record_hash of the row before it (id order), so changing or removing a row breaks
    the chain (`portal quotes verify`). People and links are kept as plain ids, never cleared.
    """

    __tablename__ = "quote_signature"
    __table_args__ = (UniqueConstraint("quote_id", "revision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id", ondelete="RESTRICT"), index=True)
    #: the quote's revision the signer saw and accepted
    revision: Mapped[int] = mapped_column(Integer)
    #: the canonical JSON of what was shown (lines, chosen options, totals, terms) and its sha256
    snapshot: Mapped[str] = mapped_column(Text)
    snapshot_sha256: Mapped[str] = mapped_column(String(64))
    #: the signed PDF as emailed to the signer, and its sha256
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    #: the full name exactly as typed, and the email given with it
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_email: Mapped[str] = mapped_column(String(254))
    #: who signed: the share link's id (acting for its recipient) or the signed-in user's id
    link_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer)
    acting_rep_id: Mapped[int | None] = mapped_column(Integer)
    consent_text: Mapped[str] = mapped_column(Text)
    consent_sha256: Mapped[str] = mapped_column(String(64))
    #: UTC, kept as an ISO string too (inside the hashed record) so the hash never depends on the engine
    signed_dt: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    signed_at: Mapped[str] = mapped_column(String(40))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    prev_hash: Mapped[str] = mapped_column(String(64))
    record_hash: Mapped[str] = mapped_column(String(64), unique=True)


@event.listens_for(QuoteSignature, "before_update")
@event.listens_for(QuoteSignature, "before_delete")
def _append_only(mapper, connection, target) -> None:
    raise ValueError("quote signatures are evidence: they are never changed or deleted")
