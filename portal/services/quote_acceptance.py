"""A client accepts a quote with a typed-name e-signature, recorded as tamper-evident evidence.

One transaction, in this order:
1. The inputs are checked (a full name, an email address, the consent ticked, only optional lines of
   this quote); a problem is an AcceptError and nothing changes.
2. The quote row is claimed with one conditional UPDATE (status still sent / changes requested, the
   revision the client saw, still valid): PostgreSQL row-locks it until commit and re-checks the
   WHERE after a concurrent accept commits, SQLite holds the database write lock. A second accept —
   double click, retry, a parallel request — finds the row taken and returns the first signature.
3. The chain head is locked (an UPDATE ... RETURNING on its sequence row), so signatures of all
   quotes are appended one at a time and each links to the record before it (id order).
4. The signature row: the canonical snapshot shown and its SHA-256, the signed PDF and its SHA-256,
   the typed name exactly as entered, the email, the link (acting for its recipient) or the user,
   the consent text and its hash, UTC time, IP, user agent, the previous and its own record hash.
5. The quote is accepted, or "ready for billing" with the finance approval gate on; a sales order of
   the accepted lines, its stock reservation and a draft delivery note (services.quote_orders); the
   engagement event, the audit row, the staff notice and the signer's email with the signed PDF
   (outbox, same transaction). The caller commits, or rolls back on AcceptError.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal import settings
from portal.blueprints.quotations import services as quote_pages
from portal.extensions import db
from portal.i18n import in_language_of
from portal.models import (
    AccessToken,
    DocumentSequence,
    Quote,
    QuoteSignature,
    QuoteStatus,
    SalesOrder,
)
from portal.money import money
from portal.services import (
    audit,
    clock,
    mailer,
    pdf,
    portal_events,
    portal_notices,
    quote_orders,
    quote_shares,
    staff_notices,
)
from portal.services.actor import Actor
from portal.services.outbox import Attachment
from portal.services.quote_answers import OPEN, AnswerError
from portal.services.quote_shares import ACCEPTED
from portal.services.quote_snapshot import (
    CONSENT_TEXT,
    GENESIS,
    canonical_json,
    record_hash,
    sha256_hex,
    snapshot,
)

#: the sequence row whose UPDATE serialises appends to the chain (and counts them)
CHAIN_LOCK = "QSIGCHAIN"
NAME_LIMIT = 120
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AcceptError(AnswerError):
    """An acceptance that cannot be taken; the message says why and nothing changed."""


@dataclass(frozen=True)
class Signing:
    """What the client filled in: the name exactly as typed, email, consent, ticked optional lines, and
    the revision of the quote the page showed (None: the current one)."""

    name: str
    email: str
    consent: bool
    options: tuple[int, ...] = ()
    revision: int | None = None


@dataclass(frozen=True)
class Accepted:
    signature: QuoteSignature
    order: SalesOrder | None = None
    #: the quote had been accepted already (double click, retry): this is the first signature
    again: bool = False


class SignedBy(NamedTuple):
    """The signature block printed on the signed PDF."""

    name: str
    email: str
    signed_at: str
    revision: int
    snapshot_sha256: str


def finance_gate_on() -> bool:
    return bool(settings.get("quotations.finance_gate"))


def signature_of(quote: Quote) -> QuoteSignature | None:
    """The quote's latest signature (None when it was never accepted)."""
    return db.session.execute(select(QuoteSignature).where(QuoteSignature.quote_id == quote.id)
                              .order_by(QuoteSignature.id.desc()).limit(1)).scalar_one_or_none()


def check(quote: Quote, signing: Signing) -> tuple[str, str, frozenset[int]]:
    """The name (as typed), the email and the chosen optional lines; AcceptError for bad input."""
    name, email = signing.name or "", (signing.email or "").strip()
    if not name.strip():
        raise AcceptError(_("Type your full name: it is your signature."))
    if len(name) > NAME_LIMIT:
        raise AcceptError(_("Keep your name under %(limit)s characters.", limit=NAME_LIMIT))
    if len(email) > 254 or not _EMAIL.match(email):
        raise AcceptError(_("Enter a valid email address: we send the signed quote there."))
    if not signing.consent:
        raise AcceptError(_("Tick the box to agree that your typed name is your electronic signature."))
    chosen = quote_pages.chosen_options(quote, signing.options)
    if len(chosen) != len(set(signing.options)):
        raise AcceptError(_("One of the optional lines you chose is not part of this quote. Reload the page and "
                            "choose again."))
    return name, email, chosen


def accept(quote: Quote, signing: Signing, *, by: Actor, link: AccessToken | None = None) -> Accepted:
    """Accept the quote as signed (see the module docstring); the caller commits."""
    name, email, chosen = check(quote, signing)
    revision = signing.revision if signing.revision is not None else quote.revision
    if not _claim(quote, revision):
        first = signature_of(quote)
        if first is not None and quote.status in ACCEPTED:
            return Accepted(first, again=True)
        raise AcceptError(_refusal(quote, revision))
    db.session.refresh(quote)
    for relation in ("lines", "sections"):
        db.session.expire(quote, [relation])  # read as they are under the lock
    now = clock.now()
    quote.accepted_name, quote.accepted_dt = name, now
    shown = canonical_json(snapshot(quote, chosen))
    signature = QuoteSignature(
        quote_id=quote.id, revision=quote.revision, snapshot=shown, snapshot_sha256=sha256_hex(shown),
        signer_name=name, signer_email=email, link_id=link.id if link is not None else None,
        user_id=by.user_id if link is None else None, acting_rep_id=by.acting_rep_id if link is None else None,
        consent_text=CONSENT_TEXT, consent_sha256=sha256_hex(CONSENT_TEXT), signed_dt=now,
        signed_at=now.isoformat(), ip=by.ip, user_agent=(by.user_agent or "")[:255] or None)
    with in_language_of(mailer.language_for(email)):  # it is emailed to the signer: in their language
        signature.pdf = pdf.render("quote", **quote_pages.document_context(quote, chosen), consent_text=CONSENT_TEXT,
                                   signed_by=SignedBy(name, email, signature.signed_at, quote.revision,
                                                      signature.snapshot_sha256))
    signature.pdf_sha256 = sha256_hex(signature.pdf)
    signature.prev_hash = _lock_chain()
    signature.record_hash = record_hash(signature)
    db.session.add(signature)
    quote.signature_hash = signature.record_hash
    work = quote_orders.order_from_quote(quote, chosen, by=by, note=f"Quote {quote} accepted by {name} ({email}).")
    db.session.flush()
    _record(quote, signature, work, by, link)
    return Accepted(signature, work.order)


def _claim(quote: Quote, revision: int) -> bool:
    """Move the quote out of its open states, if it is still open at this revision and valid."""
    target = QuoteStatus.ready_for_billing if finance_gate_on() else QuoteStatus.accepted
    claimed = db.session.execute(
        update(Quote).where(Quote.id == quote.id, Quote.status.in_(OPEN), Quote.revision == revision,
                            or_(Quote.valid_until.is_(None), Quote.valid_until >= clock.today()))
        .values(status=target).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.refresh(quote)
    return claimed == 1


def _refusal(quote: Quote, revision: int) -> str:
    if quote.status not in OPEN:
        return f"This quote is {quote.status.replace('_', ' ')}: it cannot be accepted any more."
    if quote.valid_until is not None and quote.valid_until < clock.today():
        return "This quote is no longer valid. Ask us for a new one."
    if quote.revision != revision:
        return "This quote was revised since you opened it. Read the current version below and accept it again."
    return "This quote cannot be accepted now. Reload the page and try again."


def _lock_chain() -> str:
    """Take the chain's lock (held until commit) and return the last record's hash."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(DocumentSequence).values(prefix=CHAIN_LOCK, year=0, last_value=0)
                       .on_conflict_do_nothing())
    db.session.execute(update(DocumentSequence).where(DocumentSequence.prefix == CHAIN_LOCK, DocumentSequence.year == 0)
                       .values(last_value=DocumentSequence.last_value + 1).returning(DocumentSequence.last_value))
    last = db.session.execute(select(QuoteSignature.record_hash).order_by(QuoteSignature.id.desc()).limit(1)
                              ).scalar_one_or_none()
    return last or GENESIS


def _record(quote: Quote, signature: QuoteSignature, work: quote_orders.Fulfilment, by: Actor,
            link: AccessToken | None) -> None:
    """The engagement event, audit row, staff notice and the signer's confirmation."""
    name, email = signature.signer_name, signature.signer_email
    recipient = quote_shares.recipient_of(link) if link is not None else None
    total = money(work.order.total, work.order.currency)
    portal_events.record(
        "quote_accepted", company_id=quote.company_id, by=by, subject_type="quote", subject_id=quote.id,
        data={"recipient_name": name, "recipient_email": email, "signature_id": signature.id,
              "record_hash": signature.record_hash, "order_id": work.order.id, "revision": signature.revision,
              **({"link_id": link.id, "link_recipient": recipient.email} if link is not None else {})})
    audit.record("quote.accepted", quote, actor=by, signature_id=signature.id, record_hash=signature.record_hash,
                 order=work.order.number, status=quote.status.value, by_link=link.id if link else "")
    waits = " It waits for finance approval (ready for billing)." if quote.status == QuoteStatus.ready_for_billing else ""
    short = f" Not reserved, short of stock: {'; '.join(work.not_reserved)}." if work.not_reserved else ""
    via = f" through the link sent to {recipient.email}" if recipient is not None else ""
    staff_notices.notify_about_quote(
        "quote_accepted", f"{name} ({email}) accepted quote {quote} (revision {signature.revision}, {total}){via} "
        f"on {signature.signed_at} UTC. Order {work.order.number} and delivery note {work.shipment.number} are "
        f"created.{short}{waits} Evidence hash: {signature.record_hash}",
        quote, contact_name=name, contact_email=email)
    portal_notices.notify_company(
        "quote_accepted", f"quote_accepted:{quote.id}", quote.company, permission="quotes.view", title=str(quote),
        body=f"{name} · {work.order.number}", page=portal_notices.path("quotations.detail", quote_id=quote.id),
        reps=True)
    mailer.send("quote_accepted", email, recipient_name=name, quote_number=str(quote), quote_title=quote.title,
                total=total, signed_at=signature.signed_at, revision=signature.revision,
                evidence_hash=signature.record_hash, snapshot_hash=signature.snapshot_sha256,
                pdf_hash=signature.pdf_sha256, order_number=work.order.number,
                ready_for_billing=quote.status == QuoteStatus.ready_for_billing,
                link=mailer.company_url("quotations.detail", quote.company_id, quote_id=quote.id) if link is None else "",
                attachments=(Attachment(f"signed-{quote_pages.pdf_filename(quote)}", "application/pdf",
                                        signature.pdf),))
