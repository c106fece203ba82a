"""Quote share links: staff send a quote to a named recipient by a link that needs no sign-in.

A link is an AccessToken (purpose quote_share, 256 random bits, only its sha256 stored) carrying the
recipient's name and email. It works until it is revoked or the quote stops standing: past its
validity, or taken back to draft. Re-sharing to the same address sends a fresh link and withdraws
the earlier one, so each recipient has one working link. Functions add to the session: callers commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import AccessToken, PortalEvent, Quote, QuoteMessage, QuoteStatus, TokenPurpose, User
from portal.models.base import utcnow
from portal.services import audit, clock, mailer, portal_events, tokens
from portal.services.actor import Actor
from portal.services.tokens import TokenError

#: quotes a customer may not be shown (still being written, or not priced yet)
NOT_SHAREABLE = (QuoteStatus.draft, QuoteStatus.requested)
#: accepted by the client (the second while finance reviews it before billing: the finance approval gate)
ACCEPTED = (QuoteStatus.accepted, QuoteStatus.ready_for_billing)
#: the client's last word: the link keeps showing the quote (and its answer)
ANSWERED = (*ACCEPTED, QuoteStatus.declined)
#: how long a link lives when the quote has no validity date
DEFAULT_TTL = timedelta(days=30)
#: what the engagement timeline records
VIEWED, PDF_DOWNLOADED = "quote_viewed", "quote_pdf_downloaded"


class ShareError(Exception):
    """A share staff cannot make; the message says why."""


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str


def recipient_of(link: AccessToken) -> Recipient:
    data = link.data or {}
    return Recipient(data.get("recipient_name", ""), data.get("recipient_email", ""))


def link_expiry(quote: Quote) -> datetime:
    """The end (UTC) of the quote's last valid day, or DEFAULT_TTL from now without one."""
    if quote.valid_until is None:
        return utcnow() + DEFAULT_TTL
    return datetime.combine(quote.valid_until + timedelta(days=1), time.min, tzinfo=UTC)


def _quote_is_open(quote: Quote) -> bool:
    """Shown to customers and still standing (the same rule as the quote pages' is_expired)."""
    if quote.status in NOT_SHAREABLE or quote.status == QuoteStatus.expired:
        return False
    awaiting = quote.status in (QuoteStatus.sent, QuoteStatus.changes_requested)
    return not (awaiting and quote.valid_until is not None and quote.valid_until < clock.today())


def share(quote: Quote, *, name: str, email: str, message: str = "", by: Actor) -> tuple[str, AccessToken]:
    """Issue a link for the recipient, queue the branded email and start the conversation with the
    personal message. Returns the raw token (for the email only) and the link row."""
    name, email, message = name.strip(), email.strip(), (message or "").strip()
    if not name or not email or "@" not in email:
        raise ShareError("Enter the recipient's name and email address.")
    if not _quote_is_open(quote):
        raise ShareError(f"Quote {quote} cannot be shared while it is {quote.status.replace('_', ' ')}"
                         + (" or past its validity date." if quote.status not in NOT_SHAREABLE else
                            ": send it (status “sent”) first."))
    for earlier in live_links(quote):
        if recipient_of(earlier).email.lower() == email.lower():
            tokens.revoke(earlier.id)
    expires = link_expiry(quote)
    raw, link = tokens.issue_row(TokenPurpose.quote_share, quote=quote, company=quote.company,
                                 ttl=expires - utcnow(), created_by=by.user,
                                 data={"recipient_name": name, "recipient_email": email})
    link.expires_dt = expires
    if message:
        db.session.add(QuoteMessage(quote_id=quote.id, author_id=by.user_id,
                                    author_name=by.user.name if by.user else "", from_staff=True, body=message))
    sender = by.user
    mailer.send("quote_shared", email, recipient_name=name, quote_number=str(quote), quote_title=quote.title,
                message=message, link=mailer.external_url("quotations.shared", token=raw),
                valid_until=quote.valid_until.strftime("%d %b %Y") if quote.valid_until else "",
                sender_name=sender.name if sender else "", sender_email=sender.email if sender else "")
    db.session.flush()
    audit.record("quote.shared", quote, actor=by, recipient=email, link_id=link.id)
    return raw, link


def live_links(quote: Quote) -> list[AccessToken]:
    """The quote's links that still work, newest first."""
    now = utcnow()
    rows = db.session.execute(
        select(AccessToken).where(AccessToken.quote_id == quote.id, AccessToken.purpose == TokenPurpose.quote_share,
                                  AccessToken.revoked_dt.is_(None))
        .order_by(AccessToken.created_dt.desc(), AccessToken.id.desc())).scalars()
    return [row for row in rows if tokens.aware(row.expires_dt) > now]


def all_links(quote: Quote) -> list[AccessToken]:
    """Every link the quote was ever shared by, newest first (for the back office)."""
    return list(db.session.execute(
        select(AccessToken).where(AccessToken.quote_id == quote.id, AccessToken.purpose == TokenPurpose.quote_share)
        .order_by(AccessToken.created_dt.desc(), AccessToken.id.desc())).scalars())


def link_state(link: AccessToken) -> str:
    if link.revoked_dt is not None:
        return "revoked"
    return "expired" if tokens.aware(link.expires_dt) <= utcnow() else "live"


def views_by_link(quote: Quote) -> dict[int, int]:
    """How many times each link's page was opened."""
    rows = db.session.execute(select(PortalEvent.data).where(
        PortalEvent.subject_type == "quote", PortalEvent.subject_id == quote.id, PortalEvent.kind == VIEWED)).scalars()
    counts: dict[int, int] = {}
    for data in rows:  # JSON has no equality on PostgreSQL: no GROUP BY on it
        link_id = (data or {}).get("link_id")
        if link_id is not None:
            counts[link_id] = counts.get(link_id, 0) + 1
    return counts


def revoke(quote: Quote, link_id: int, *, by: Actor) -> bool:
    """Withdraw one of the quote's links; False when it was not live."""
    link = db.session.get(AccessToken, link_id)
    if link is None or link.quote_id != quote.id or link.purpose != TokenPurpose.quote_share:
        return False
    if not tokens.revoke(link.id):
        return False
    audit.record("quote.share_revoked", quote, actor=by, recipient=recipient_of(link).email, link_id=link.id)
    return True


def open_link(raw: str | None) -> tuple[AccessToken, Quote]:
    """The live link and its quote; TokenError when unknown, revoked, expired or the quote is withdrawn."""
    link = tokens.peek(TokenPurpose.quote_share, raw)
    quote = db.session.get(Quote, link.quote_id) if link.quote_id else None
    if quote is None or quote.status in NOT_SHAREABLE:
        raise TokenError("revoked", link)
    if not _quote_is_open(quote) and quote.status not in ANSWERED:
        raise TokenError("expired", link)
    return link, quote


def sender_of(link: AccessToken | None) -> User | None:
    """Who shared a link (named on the page of a link that no longer works, as the one to contact)."""
    if link is None or link.created_by_id is None:
        return None
    user = db.session.get(User, link.created_by_id)
    return user if user is not None and user.is_staff and user.is_active else None


def track(kind: str, quote: Quote, actor: Actor, link: AccessToken | None = None) -> PortalEvent:
    """Record one engagement event (a page opened, a PDF downloaded) by a link's recipient or a
    signed-in customer."""
    data: dict = {}
    if link is not None:
        recipient = recipient_of(link)
        data = {"link_id": link.id, "recipient_name": recipient.name, "recipient_email": recipient.email}
    elif actor.user is not None:
        data = {"recipient_name": actor.user.name, "recipient_email": actor.user.email}
    return portal_events.record(kind, company_id=quote.company_id, by=actor, subject_type="quote",
                                subject_id=quote.id, data=data)


def customer_opened(quote: Quote, actor: Actor) -> None:
    """A signed-in contact opened the quote's page: a view on the engagement record (a rep's look is not the
    customer's)."""
    if actor.acting_rep_id is None and actor.user is not None:
        track(VIEWED, quote, actor)


#: how the engagement timeline names each kind of event
EVENT_LABELS = {VIEWED: "Viewed", PDF_DOWNLOADED: "Downloaded the PDF",
                "quote_changes_requested": "Asked for changes", "quote_declined": "Declined",
                "quote_accepted": "Accepted (typed-name e-signature)", "quote_revised": "Revised"}


def timeline(quote: Quote, limit: int = 200) -> list[PortalEvent]:
    """The quote's engagement events (views, PDF downloads, answers), newest first."""
    return list(db.session.execute(
        select(PortalEvent).where(PortalEvent.subject_type == "quote", PortalEvent.subject_id == quote.id)
        .order_by(PortalEvent.created_dt.desc(), PortalEvent.id.desc()).limit(limit)).scalars())
