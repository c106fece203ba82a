"""Staff build and revise a quote: the one save of a quote's header, sections and lines.

The builder screen (with or without script) posts a QuoteDraft of what was typed; `save` checks all of
it first (a refusal names every bad field and changes nothing), fills what a product brings (name,
the customer's price at that quantity, tax rate), recomputes every line and the quote's totals (never
trusting totals from the browser; optional lines stay out of them) and applies it.

Revisions: a quote the customer has been shown (sent, changes requested, expired) that is changed
starts its next revision: ``revision`` goes up, it is "sent" again and the timeline records
"quote_revised"; its live share links keep working and follow a new validity date. A draft or a request saves without a new revision. Any other state (accepted,
declined, ready for billing, ...) is closed: the builder shows it read-only and refuses saves.
Functions add to the session: callers commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Company,
    Membership,
    Product,
    Quote,
    QuoteLine,
    QuoteSection,
    QuoteStatus,
    User,
    UserKind,
)
from portal.services import audit, cart, clock, portal_events, quote_shares
from portal.services.actor import Actor
from portal.services.errors import RuleError
from portal.services.numbering import next_number
from portal.services.totals import recompute_totals

#: being written: saved as they are
DRAFTING = (QuoteStatus.requested, QuoteStatus.draft)
#: shown to the customer: a change is a new revision, sent again
REVISABLE = (QuoteStatus.sent, QuoteStatus.changes_requested, QuoteStatus.expired)
REVISED = "quote_revised"
DEFAULT_TAX = Decimal("21.00")
TEXT_LIMIT = 20000
MAX_QUANTITY = Decimal(1000000000)
MAX_PRICE = Decimal(1000000000000)


class BuilderError(RuleError):
    """The draft was refused; `errors` maps each bad field's form name to its message ("" for the
    quote as a whole). Nothing was saved."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()), field="")
        self.errors = errors


@dataclass
class SectionDraft:
    #: "s<id>" for a section of the quote, anything else for a new one
    key: str
    title: str = ""


@dataclass
class LineDraft:
    """One row of the line table as typed (strings): blank rows are ignored."""

    id: str = ""
    section: str = ""
    sku: str = ""
    description: str = ""
    quantity: str = ""
    unit_price: str = ""
    discount_percent: str = ""
    tax_rate: str = ""
    optional: bool = False
    #: shown, never read back: the stored line total when the builder opens
    line_total: str = ""

    def is_blank(self) -> bool:
        return not (self.sku.strip() or self.description.strip() or self.unit_price.strip())


@dataclass
class QuoteDraft:
    company_id: str = ""
    contact_id: str = ""
    title: str = ""
    valid_until: str = ""
    introduction: str = ""
    terms: str = ""
    #: the revision the builder was opened at ("" for a new quote)
    revision: str = ""
    sections: list[SectionDraft] = field(default_factory=list)
    lines: list[LineDraft] = field(default_factory=list)


@dataclass
class Saved:
    quote: Quote
    created: bool
    #: False: what was posted is what the quote already said
    changed: bool
    revised: bool


def _text(value) -> str:
    return "" if value is None else f"{value:f}"


def draft_of(quote: Quote) -> QuoteDraft:
    """What the builder shows for a stored quote."""
    sections = sorted(quote.sections, key=lambda s: (s.position, s.id))
    known = {s.id for s in sections}
    lines = lines_as_shown(quote)
    return QuoteDraft(
        company_id=str(quote.company_id or ""), contact_id=str(quote.contact_id or ""), title=quote.title or "",
        valid_until=quote.valid_until.isoformat() if quote.valid_until else "",
        introduction=quote.introduction or "", terms=quote.terms or "", revision=str(quote.revision or 1),
        sections=[SectionDraft(f"s{s.id}", s.title) for s in sections],
        lines=[LineDraft(id=str(ln.id or ""), section=f"s{ln.section_id}" if ln.section_id in known else "",
                         sku=ln.product.sku if ln.product else "", description=ln.description,
                         quantity=_text(ln.quantity.normalize()) if ln.quantity is not None else "",
                         unit_price=_text(ln.unit_price), discount_percent=_text(ln.discount_percent),
                         tax_rate=_text(ln.tax_rate), optional=bool(ln.optional), line_total=_text(ln.line_total))
               for ln in lines])


def lines_as_shown(quote: Quote) -> list[QuoteLine]:
    """The quote's lines in the order the client reads them: outside any section first, then by section."""
    order = {s.id: n for n, s in enumerate(sorted(quote.sections, key=lambda s: (s.position, s.id or 0)), start=1)}
    return sorted(quote.lines, key=lambda ln: (order.get(ln.section.id, 0) if ln.section is not None else 0,
                                               ln.position, ln.id or 0))


def closed_reason(quote: Quote | None) -> str | None:
    """Why the quote can no longer be edited (None: it can)."""
    if quote is None or quote.status in DRAFTING + REVISABLE:
        return None
    return (f"Quote {quote} is {quote.status.replace('_', ' ')}: it is read-only. Start a new quote for "
            "other terms.")


# --- checking ---------------------------------------------------------------------------------------

def _number(raw: str, *, places: int) -> Decimal | None:
    text = (raw or "").strip()
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.quantize(Decimal(1).scaleb(-places)):
        return None
    return value


@dataclass
class _Line:
    draft_id: int | None
    section: str | None
    product: Product | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    optional: bool


@dataclass
class _Checked:
    company: Company
    contact: User | None
    title: str
    valid_until: date | None
    introduction: str | None
    terms: str | None
    sections: list[SectionDraft]
    lines: list[_Line]


def _check_header(quote: Quote | None, draft: QuoteDraft, errors: dict[str, str]):
    company = None
    if draft.company_id.strip().isdigit():
        company = db.session.get(Company, int(draft.company_id))
    if company is None or not company.is_customer:
        errors["company_id"] = "Choose the customer company."
        company = None
    elif quote is not None and quote.status in REVISABLE and company.id != quote.company_id:
        errors["company_id"] = f"Quote {quote} was sent to {quote.company.name}: it stays theirs. Start a new quote."
    contact = None
    if draft.contact_id.strip() and company is not None:
        if draft.contact_id.strip().isdigit():
            contact = db.session.execute(
                select(User).join(Membership, Membership.user_id == User.id)
                .where(User.id == int(draft.contact_id), User.kind == UserKind.contact,
                       Membership.company_id == company.id)).scalar_one_or_none()
        if contact is None:
            errors["contact_id"] = f"The contact must be one of {company.name}'s people (or none)."
    title = draft.title.strip()
    if not title:
        errors["title"] = "Give the quote a title."
    elif len(title) > 200:
        errors["title"] = "Keep the title under 200 characters."
    valid_until = None
    if draft.valid_until.strip():
        try:
            valid_until = date.fromisoformat(draft.valid_until.strip())
        except ValueError:
            errors["valid_until"] = "Enter the validity date as YYYY-MM-DD."
        else:
            if valid_until < clock.today():
                errors["valid_until"] = "The validity date has passed: choose today or later."
    for name in ("introduction", "terms"):
        if len(getattr(draft, name)) > TEXT_LIMIT:
            errors[name] = f"Keep this under {TEXT_LIMIT} characters."
    return company, contact, title, valid_until


def _check_lines(company: Company | None, draft: QuoteDraft, sections: set[str],
                 errors: dict[str, str]) -> list[_Line]:
    rows = [(i, ln) for i, ln in enumerate(draft.lines) if not ln.is_blank()]
    if not rows:
        errors["lines"] = "Add at least one line: a product, or a free-text line with a description and a price."
        return []
    skus = {ln.sku.strip().lower() for _, ln in rows if ln.sku.strip()}
    products: dict[str, Product] = {}
    if skus:
        found = db.session.execute(select(Product).where(func.lower(Product.sku).in_(skus))).scalars()
        products = {p.sku.lower(): p for p in found}
    visible = cart.visible_products(company, [p.id for p in products.values()]) if company is not None else {}
    checked: list[tuple[int, _Line]] = []
    for i, row in rows:
        n, key = i + 1, f"line-{i}-"
        product = None
        if row.sku.strip():
            product = products.get(row.sku.strip().lower())
            if product is None:
                errors[key + "sku"] = (f"Line {n}: no product has the SKU “{row.sku.strip()}”: pick one from the "
                                       "suggestions, or clear the field for a line of your own.")
            elif company is not None and product.id not in visible:
                errors[key + "sku"] = f"Line {n}: {product.sku} is not offered to {company.name} (hidden from them)."
                product = None
        description = row.description.strip() or (product.name if product else "")
        if not description and key + "sku" not in errors:
            errors[key + "description"] = f"Line {n}: describe the line, or pick a product."
        elif len(description) > 255:
            errors[key + "description"] = f"Line {n}: keep the description under 255 characters."
        quantity = _number(row.quantity, places=3) if row.quantity.strip() else Decimal(1)
        if quantity is None or not Decimal(0) < quantity < MAX_QUANTITY:
            errors[key + "quantity"] = f"Line {n}: the quantity must be a number above zero, with at most 3 decimals."
            quantity = None
        unit_price = None
        if row.unit_price.strip():
            unit_price = _number(row.unit_price, places=2)
            if unit_price is None or not Decimal(0) <= unit_price < MAX_PRICE:
                errors[key + "unit_price"] = f"Line {n}: the unit price must be zero or more, with at most 2 decimals."
                unit_price = None
        elif product is not None and quantity is not None and company is not None:
            price = cart.price_book(company, [product]).price(product.id, quantity)
            if price is None:
                errors[key + "unit_price"] = f"Line {n}: {product.sku} has no price for {company.name}: enter one."
            else:
                unit_price = price.unit
        elif product is None and key + "sku" not in errors:
            errors[key + "unit_price"] = f"Line {n}: enter a unit price."
        discount = _number(row.discount_percent, places=2) if row.discount_percent.strip() else Decimal(0)
        if discount is None or not Decimal(0) <= discount <= Decimal(100):
            errors[key + "discount_percent"] = f"Line {n}: the discount is a percentage from 0 to 100."
        if row.tax_rate.strip():
            tax = _number(row.tax_rate, places=2)
        else:
            tax = product.tax_rate if product is not None else DEFAULT_TAX
        if tax is None or not Decimal(0) <= tax <= Decimal(100):
            errors[key + "tax_rate"] = f"Line {n}: the tax rate is a percentage from 0 to 100."
        if quantity is not None and unit_price is not None and quantity * unit_price >= MAX_PRICE / 1000:
            errors[key + "quantity"] = f"Line {n}: that line is too large; split it up."
        if not any(k.startswith(key) for k in errors):
            section = row.section if row.section in sections else None
            draft_id = int(row.id) if row.id.strip().isdigit() else None
            checked.append((i, _Line(draft_id, section, product, description, quantity, unit_price, discount, tax,
                                     bool(row.optional))))
    return [line for _, line in checked]


def check(quote: Quote | None, draft: QuoteDraft) -> _Checked:
    """Every rule at once; BuilderError lists each refusal."""
    errors: dict[str, str] = {}
    reason = closed_reason(quote)
    if reason:
        raise BuilderError({"": reason})
    if quote is not None and draft.revision.strip() and draft.revision.strip() != str(quote.revision):
        raise BuilderError({"": f"Quote {quote} changed while you edited it (it is now revision {quote.revision}). "
                                 "Open the builder again to see it."})
    company, contact, title, valid_until = _check_header(quote, draft, errors)
    sections = []
    for i, section in enumerate(draft.sections):
        section_title = section.title.strip()
        if len(section_title) > 200:
            errors[f"section-{i}-title"] = f"Section {i + 1}: keep the title under 200 characters."
        elif section_title:  # a section whose title was cleared is removed; its lines stay, outside any
            sections.append(SectionDraft(section.key, section_title))
    lines = _check_lines(company, draft, {s.key for s in sections}, errors)
    if errors:
        raise BuilderError(errors)
    return _Checked(company, contact, title, valid_until, draft.introduction.strip() or None,
                    draft.terms.strip() or None, sections, lines)


# --- saving -----------------------------------------------------------------------------------------

def content_of(quote: Quote) -> tuple:
    """What the customer reads on a quote, to tell whether a save changed it."""
    titles = {s.id: s.title for s in quote.sections}
    sections = tuple(s.title for s in sorted(quote.sections, key=lambda s: (s.position, s.id or 0)))
    lines = tuple(
        (titles.get(ln.section_id) if ln.section is None else ln.section.title, ln.product_id, ln.description,
         Decimal(ln.quantity), Decimal(ln.unit_price), Decimal(ln.discount_percent or 0), Decimal(ln.tax_rate),
         bool(ln.optional))
        for ln in lines_as_shown(quote))
    return (quote.company_id, quote.contact_id, quote.title, quote.valid_until, quote.introduction, quote.terms,
            sections, lines)


def save(quote: Quote | None, draft: QuoteDraft, *, by: Actor) -> Saved:
    """Check the draft, then create the quote (quote None) or apply it to the quote, with totals recomputed
    and, for a quote the customer was shown, a new revision. BuilderError: nothing changed."""
    checked = check(quote, draft)
    created = quote is None
    before = None if created else content_of(quote)
    if created:
        quote = Quote(status=QuoteStatus.draft, currency=checked.company.currency, created_by_id=by.user_id,
                      revision=1)
        db.session.add(quote)
    quote.company_id, quote.company = checked.company.id, checked.company
    quote.contact_id = checked.contact.id if checked.contact else None
    quote.title, quote.valid_until = checked.title, checked.valid_until
    quote.introduction, quote.terms = checked.introduction, checked.terms
    _apply_lines(quote, checked.lines, _apply_sections(quote, checked.sections))
    if quote.status != QuoteStatus.requested and not quote.number:
        quote.number = next_number("quote")
    db.session.flush()
    changed = created or content_of(quote) != before
    revised = changed and not created and quote.status in REVISABLE
    if not created and before[3] != quote.valid_until:  # links end with the quote's validity
        for link in quote_shares.live_links(quote):
            link.expires_dt = quote_shares.link_expiry(quote)
    if revised:
        quote.revision = (quote.revision or 1) + 1
        quote.status = QuoteStatus.sent
        portal_events.record(REVISED, company_id=quote.company_id, by=by, subject_type="quote", subject_id=quote.id,
                             data={"revision": quote.revision, "recipient_name": by.user.name if by.user else ""})
    if changed:
        action = "quote.created" if created else "quote.revised" if revised else "quote.updated"
        audit.record(action, quote, company_id=quote.company_id, actor=by, revision=quote.revision,
                     lines=len(checked.lines), total=quote.total)
    return Saved(quote, created, changed, revised)


def _apply_sections(quote: Quote, sections: list[SectionDraft]) -> dict[str, QuoteSection]:
    """Rename, reorder, add and drop sections; returns the sections kept, by their draft key."""
    existing = {f"s{s.id}": s for s in quote.sections if s.id is not None}
    kept: dict[str, QuoteSection] = {}
    for position, draft in enumerate(sections, start=1):
        section = existing.get(draft.key) or QuoteSection(quote=quote)
        if section not in quote.sections:
            quote.sections.append(section)
        section.title, section.position = draft.title, position
        kept[draft.key] = section
    for key, section in existing.items():
        if key not in kept:
            quote.sections.remove(section)
    return kept


def _apply_lines(quote: Quote, lines: list[_Line], sections: dict[str, QuoteSection]) -> None:
    """Update lines in place by id, add new ones, drop the rest; then the totals."""
    existing = {ln.id: ln for ln in quote.lines if ln.id is not None}
    used: set[int] = set()
    kept = []
    for position, line in enumerate(lines, start=1):
        row = existing.get(line.draft_id) if line.draft_id not in used else None
        if row is None:
            row = QuoteLine()
            quote.lines.append(row)
        else:
            used.add(row.id)
        row.position = position
        row.section = sections.get(line.section) if line.section else None
        row.product = line.product
        row.product_id = line.product.id if line.product else None
        row.description, row.quantity, row.unit_price = line.description, line.quantity, line.unit_price
        row.discount_percent, row.tax_rate, row.optional = line.discount_percent, line.tax_rate, line.optional
        kept.append(row)
    for row_id, row in existing.items():
        if row_id not in used:
            quote.lines.remove(row)
    recompute_totals(quote, kept)
