"""What a customer sees of a quote: which ones, whether still valid, its layout and conversation."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select

from portal.models import Quote, QuoteLine, QuoteSection, QuoteStatus
from portal.services import clock, pdf, totals
from portal.services.quote_thread import Message, conversation  # noqa: F401  (the pages' conversation)

#: quotes the business is still writing; the customer never sees them
HIDDEN = (QuoteStatus.draft,)
#: statuses in which the offer still stands until valid_until
AWAITING_ANSWER = (QuoteStatus.sent, QuoteStatus.changes_requested)


def visible_quotes(query: Select) -> Select:
    """Quotes the customer may see, newest first; `query` selects Quote."""
    return query.where(Quote.status.not_in(HIDDEN)).order_by(Quote.created_dt.desc(), Quote.id.desc())


def is_expired(quote: Quote, today: date | None = None) -> bool:
    """Marked expired, or still awaiting an answer after its last valid day (today from the clock)."""
    if quote.status == QuoteStatus.expired:
        return True
    return (quote.status in AWAITING_ANSWER and quote.valid_until is not None
            and quote.valid_until < (today or clock.today()))


def is_priced(quote: Quote) -> bool:
    """A quote the customer requested has no prices until staff send it."""
    return quote.status != QuoteStatus.requested


@dataclass(frozen=True)
class Section:
    title: str | None
    lines: list[QuoteLine]


def sections_with_lines(quote: Quote) -> list[Section]:
    """Lines grouped under their sections in order; lines outside any section come first, untitled."""
    sections: list[QuoteSection] = sorted(quote.sections, key=lambda s: (s.position, s.id))
    known = {s.id for s in sections}
    by_section: dict[int | None, list[QuoteLine]] = {}
    for line in sorted(quote.lines, key=lambda ln: (ln.position, ln.id)):
        by_section.setdefault(line.section_id if line.section_id in known else None, []).append(line)
    result = [Section(None, by_section[None])] if None in by_section else []
    result += [Section(s.title, by_section[s.id]) for s in sections if s.id in by_section]
    return result


def chosen_options(quote: Quote, line_ids: Iterable[int]) -> frozenset[int]:
    """The ids among `line_ids` that are optional lines of this quote (anything else is ignored)."""
    optional = {line.id for line in quote.lines if line.optional}
    return frozenset(i for i in line_ids if i in optional)


def totals_with(quote: Quote, chosen: frozenset[int]) -> totals.Totals:
    """The quote's stored totals, or with chosen optional lines those of its lines plus them (computed
    like the stored ones, tax rounded once per rate)."""
    if not chosen:
        return totals.Totals(quote.subtotal, quote.tax_total, quote.total)
    return totals.sums(line for line in quote.lines if not line.optional or line.id in chosen)


def document_context(quote: Quote, chosen: frozenset[int] = frozenset()) -> dict:
    """What the quote page and its PDF both show (so the PDF is exactly the page's quote)."""
    return {"quote": quote, "label": quote.number or f"Request #{quote.id}",
            "expired": is_expired(quote, clock.today()), "priced": is_priced(quote),
            "sections": sections_with_lines(quote), "chosen": chosen,
            "has_options": any(line.optional for line in quote.lines), "totals": totals_with(quote, chosen)}


def quote_pdf(quote: Quote, chosen: frozenset[int] = frozenset()) -> bytes:
    """The branded PDF of the quote as shown, with the chosen optional lines."""
    return pdf.render("quote", **document_context(quote, chosen))


def pdf_filename(quote: Quote) -> str:
    number = "".join(c for c in (quote.number or f"request-{quote.id}") if c.isalnum() or c in "-_")
    return f"quote-{number}.pdf"
