"""A client's answers to a quote short of accepting it: ask for changes, decline; and staff replies.

Messages land in the quote's conversation (QuoteMessage), visible on the client's page and the back
office's quote screen. The client's answers notify staff (events quote_changes_requested and
quote_declined); a staff reply is emailed to the quote's contact and to whoever it was shared with.
The person answering is a signed-in user, or the recipient of a share link, recorded as such.
Functions add to the session: callers commit.
"""
from __future__ import annotations

from flask_babel import gettext as _

from portal.extensions import db
from portal.models import AccessToken, Quote, QuoteMessage, QuoteStatus
from portal.services import audit, clock, mailer, portal_events, quote_shares, staff_notices
from portal.services.actor import Actor
from portal.web import status_label

#: statuses in which a client may still answer
OPEN = (QuoteStatus.sent, QuoteStatus.changes_requested)
MESSAGE_LIMIT = 4000


class AnswerError(Exception):
    """An answer that cannot be taken; the message says why."""


def _author(by: Actor, link: AccessToken | None) -> tuple[str, str]:
    if link is not None:
        recipient = quote_shares.recipient_of(link)
        return recipient.name, recipient.email
    return (by.user.name, by.user.email) if by.user is not None else ("", "")


def _check_open(quote: Quote) -> None:
    if quote.status not in OPEN:
        raise AnswerError(_("This quote is %(status)s: it cannot be answered any more.",
                            status=status_label(quote.status).lower()))
    if quote.valid_until is not None and quote.valid_until < clock.today():
        raise AnswerError(_("This quote is no longer valid. Ask us for a new one."))


def _clean(body: str, *, required: bool) -> str:
    body = (body or "").strip()
    if required and not body:
        raise AnswerError(_("Write what you would like us to change."))
    if len(body) > MESSAGE_LIMIT:
        raise AnswerError(_("Keep the message under %(limit)s characters.", limit=MESSAGE_LIMIT))
    return body


def _record(quote: Quote, kind: str, body: str, by: Actor, link: AccessToken | None) -> QuoteMessage:
    name, email = _author(by, link)
    message = QuoteMessage(quote_id=quote.id, author_id=by.user_id if link is None else None, author_name=name,
                           from_staff=False, body=body)
    db.session.add(message)
    data = {"recipient_name": name, "recipient_email": email, **({"link_id": link.id} if link else {})}
    portal_events.record(kind, company_id=quote.company_id, by=by, subject_type="quote", subject_id=quote.id,
                         data=data)
    return message


def request_changes(quote: Quote, body: str, *, by: Actor, link: AccessToken | None = None) -> QuoteMessage:
    """The client's message asking for changes: in the thread, the quote waits for a revision, staff hear."""
    body = _clean(body, required=True)
    _check_open(quote)
    message = _record(quote, "quote_changes_requested", body, by, link)
    quote.status = QuoteStatus.changes_requested
    name, email = _author(by, link)
    audit.record("quote.changes_requested", quote, actor=by, by_link=link.id if link else "")
    staff_notices.notify_about_quote("quote_changes_requested",
                                     f"{name or 'The client'} asked for changes to quote {quote}: {body}", quote,
                                     contact_name=name, contact_email=email)
    return message


def decline(quote: Quote, reason: str = "", *, by: Actor, link: AccessToken | None = None) -> Quote:
    """The client declines, with an optional reason (kept in the thread)."""
    reason = _clean(reason, required=False)
    _check_open(quote)
    _record(quote, "quote_declined", "Declined" + (f": {reason}" if reason else "."), by, link)
    quote.status = QuoteStatus.declined
    name, email = _author(by, link)
    audit.record("quote.declined", quote, actor=by, reason=reason, by_link=link.id if link else "")
    staff_notices.notify_about_quote("quote_declined", f"{name or 'The client'} declined quote {quote}."
                                     + (f" Reason: {reason}" if reason else ""), quote, contact_name=name,
                                     contact_email=email)
    return quote


def staff_reply(quote: Quote, body: str, *, by: Actor) -> QuoteMessage:
    """A staff answer in the thread, emailed to the quote's contact and to the live links' recipients."""
    body = _clean(body, required=True)
    message = QuoteMessage(quote_id=quote.id, author_id=by.user_id, author_name=by.user.name if by.user else "",
                           from_staff=True, body=body)
    db.session.add(message)
    audit.record("quote.staff_reply", quote, actor=by)
    email_reply(quote, body, by=by)
    return message


def email_reply(quote: Quote, body: str, *, by: Actor) -> None:
    """Email a staff reply to the quote's contact and to the recipients of its live links."""
    sent: set[str] = set()
    context = {"quote_number": str(quote), "quote_title": quote.title, "message": body,
               "sender_name": by.user.name if by.user else ""}
    if quote.contact is not None and quote.contact.is_active:
        sent.add(quote.contact.email.lower())
        mailer.send("quote_reply", quote.contact, link=mailer.company_url("quotations.detail", quote.company_id, quote_id=quote.id),
                    **context)
    for live in quote_shares.live_links(quote):
        recipient = quote_shares.recipient_of(live)
        if recipient.email.lower() not in sent:
            sent.add(recipient.email.lower())
            mailer.send("quote_reply", recipient.email, recipient_name=recipient.name, link="", **context)
