"""The canonical snapshot of a quote as a client sees it, and the hashing of evidence.

The snapshot is what an acceptance signs: the quote's number, revision, title, validity, texts, the
lines shown (section, description, quantity, prices, discount, tax; optional ones marked, with
whether the client ticked them) and the totals with the ticked options. It is serialised one way
only — keys sorted, no spaces, amounts as strings, UTF-8 — so the same quote gives the same bytes
and the same SHA-256 on every engine and every run.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from portal.models import Quote
from portal.services import totals

#: the previous-record hash of the first signature in the chain
GENESIS = "0" * 64
#: the consent a signer ticks; its hash is stored with every signature
CONSENT_TEXT = "I agree this typed name is my electronic signature and accept the quote and terms"


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not in a snapshot: {type(value).__name__}")


def canonical_json(data: dict) -> str:
    """The one serialisation every hash is taken over."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)


def _line(line, chosen: frozenset[int], sections: dict[int, str]) -> dict:
    return {"id": line.id, "section": sections.get(line.section_id), "position": line.position,
            "sku": line.product.sku if line.product is not None else None, "description": line.description,
            "quantity": line.quantity, "unit_price": line.unit_price, "discount_percent": line.discount_percent,
            "tax_rate": line.tax_rate, "line_total": line.line_total, "optional": bool(line.optional),
            "included": not line.optional or line.id in chosen}


def snapshot(quote: Quote, chosen: frozenset[int]) -> dict:
    """What the client is shown and accepts, as plain data."""
    sections = {s.id: s.title for s in quote.sections}
    shown = totals.sums(line for line in quote.lines if not line.optional or line.id in chosen)
    lines = sorted(quote.lines, key=lambda ln: (ln.position, ln.id))
    return {"quote_id": quote.id, "number": quote.number, "revision": quote.revision, "title": quote.title,
            "company": quote.company.name, "currency": quote.currency, "valid_until": quote.valid_until,
            "introduction": quote.introduction or "", "terms": quote.terms or "",
            "lines": [_line(line, chosen, sections) for line in lines],
            "chosen_options": sorted(chosen),
            "totals": {"subtotal": shown.subtotal, "tax_total": shown.tax_total, "total": shown.total}}


def record_fields(signature) -> dict:
    """The fields of a QuoteSignature its record hash covers (everything but its id and own hash)."""
    return {"quote_id": signature.quote_id, "revision": signature.revision,
            "snapshot_sha256": signature.snapshot_sha256, "pdf_sha256": signature.pdf_sha256,
            "signer_name": signature.signer_name, "signer_email": signature.signer_email,
            "link_id": signature.link_id, "user_id": signature.user_id, "acting_rep_id": signature.acting_rep_id,
            "consent_sha256": signature.consent_sha256, "signed_at": signature.signed_at, "ip": signature.ip,
            "user_agent": signature.user_agent, "prev_hash": signature.prev_hash}


def record_hash(signature) -> str:
    return sha256_hex(canonical_json(record_fields(signature)))
