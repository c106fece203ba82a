"""Checking the e-signature evidence: the whole chain of QuoteSignature records and each record's contents.

For every record, in id order: its stored snapshot, PDF and consent text hash to the stored SHA-256s,
the snapshot names the record's quote and revision, its record hash is recomputed from its fields,
and it links to the record before it (the first to the genesis hash). The quote's signature_hash
must be its latest record's hash. Any difference is a Problem naming the record.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from portal.extensions import db
from portal.models import Quote, QuoteSignature
from portal.services.quote_snapshot import GENESIS, record_hash, sha256_hex


@dataclass(frozen=True)
class Problem:
    signature_id: int
    quote: str
    what: str

    def __str__(self) -> str:
        return f"record {self.signature_id} (quote {self.quote}): {self.what}"


@dataclass
class Report:
    records: int = 0
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class UnknownQuote(LookupError):
    pass


def _evidence(record: QuoteSignature) -> list[str]:
    found = []
    if sha256_hex(record.snapshot) != record.snapshot_sha256:
        found.append("the stored snapshot does not match its SHA-256")
    else:
        try:
            shown = json.loads(record.snapshot)
        except ValueError:
            shown = {}
        if shown.get("quote_id") != record.quote_id or shown.get("revision") != record.revision:
            found.append("the snapshot is of another quote or revision")
    if sha256_hex(record.pdf or b"") != record.pdf_sha256:
        found.append("the stored PDF does not match its SHA-256")
    if sha256_hex(record.consent_text) != record.consent_sha256:
        found.append("the consent text does not match its SHA-256")
    if record_hash(record) != record.record_hash:
        found.append("the record's fields do not match its record hash")
    return found


def verify(quote_number: str | None = None) -> Report:
    """Check the chain over all records, and the evidence of every record (or only of one quote's)."""
    only = None
    if quote_number is not None:
        only = db.session.execute(select(Quote.id).where(Quote.number == quote_number)).scalar_one_or_none()
        if only is None:
            raise UnknownQuote(quote_number)
    numbers = dict(db.session.execute(select(Quote.id, Quote.number).where(
        Quote.id.in_(select(QuoteSignature.quote_id)))).all())
    report, previous, latest = Report(), GENESIS, {}
    for record in db.session.execute(select(QuoteSignature).order_by(QuoteSignature.id)
                                     .execution_options(yield_per=50)).scalars():
        report.records += 1
        label = numbers.get(record.quote_id) or f"#{record.quote_id}"
        if record.prev_hash != previous:
            report.problems.append(Problem(record.id, label, "the chain is broken: its previous hash is not the "
                                                             "hash of the record before it"))
        previous = record.record_hash
        latest[record.quote_id] = record.record_hash
        if only is None or record.quote_id == only:
            report.checked += 1
            report.problems += [Problem(record.id, label, what) for what in _evidence(record)]
    for quote_id, signature_hash in db.session.execute(select(Quote.id, Quote.signature_hash).where(
            Quote.id.in_(list(latest)))).all():
        if (only is None or quote_id == only) and signature_hash != latest[quote_id]:
            report.problems.append(Problem(0, numbers.get(quote_id) or f"#{quote_id}",
                                           "the quote's signature hash is not its latest record's hash"))
    return report
