"""A quote requested from the cart: a quote in status "requested" that staff price in the back office.

Its lines carry today's prices from the one pricing function as staff's starting point; the customer
sees no amounts until staff send the quote. The cart is emptied: its content is now the request.
"""
from __future__ import annotations

from flask_babel import gettext as _

from portal.extensions import db
from portal.models import Company, Quote, QuoteLine, QuoteStatus
from portal.services import audit, cart, mailer, staff_notices
from portal.services.actor import Actor
from portal.services.errors import RuleError
from portal.services.totals import recompute_totals

MAX_NOTE = 2000


class QuoteRequestError(RuleError):
    default_field = "note"


def request_quote(actor: Actor, company: Company, note: str) -> Quote:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise QuoteRequestError(_("Keep the message under %(limit)s characters.", limit=MAX_NOTE))
    current = cart.load(actor, company)
    lines = [ln for ln in current.lines if ln.visible]
    if not lines:
        raise QuoteRequestError(_("Your cart is empty: add the products you want a quote for first."))
    who = actor.user.name if actor.user is not None else company.name
    quote = Quote(company_id=company.id, contact_id=actor.user_id if actor.user and actor.user.is_contact else None,
                  status=QuoteStatus.requested, currency=current.currency, title=f"Quote request from {who}",
                  introduction=note or None, created_by_id=actor.user_id)
    for position, line in enumerate(lines, start=1):
        quote.lines.append(QuoteLine(position=position, product_id=line.product.id, description=line.product.name,
                                     quantity=line.quantity, unit_price=line.unit_price or 0,
                                     tax_rate=line.product.tax_rate))
    recompute_totals(quote)
    db.session.add(quote)
    db.session.flush()
    cart.empty(actor, company)
    audit.record("quote.requested", quote, company_id=company.id, actor=actor, lines=len(lines))
    if actor.acting_rep_id is not None:
        who = f"{who} (sales rep) for {company.name}"
    staff_notices.notify("quote_requested", f"{who} requested a quote for {len(lines)} product(s)."
                         + (f" Message: {note[:300]}" if note else ""), company=company, contact=actor.user,
                         link=mailer.external_url("admin_quote.edit_view", id=quote.id))
    return quote
