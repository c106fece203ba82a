"""The quote builder screen: a quote's header, sections and compact line table on one page.

It replaces Flask-Admin's create form for quotes and opens from a quote's record page. The page is a
plain form (it saves without script: rows are posted as ``line-<n>-<field>`` and
``section-<n>-<field>``); static/quote_builder.js adds the product picker, live totals and row moves.
Everything is saved by services.quote_builder, the one save of a quote's content.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_admin import expose
from sqlalchemy import select

from portal.extensions import db
from portal.json_api import json_api
from portal.models import Company, Membership, Quote, User, UserKind
from portal.permissions import current_actor
from portal.services import quote_builder, quote_products
from portal.services.quote_builder import BuilderError, LineDraft, QuoteDraft, SectionDraft

#: blank rows offered for typing new lines and a new section (a browser with script adds its own)
SPARE_LINES = 3
MAX_ROWS = 500
_ROW = re.compile(r"^(line|section)-(\d{1,4})-([a-z_]+)$")
_LINE_FIELDS = {"id", "section", "sku", "description", "quantity", "unit_price", "discount_percent", "tax_rate",
                "optional"}


def draft_from_form(form) -> QuoteDraft:
    """What the builder's form posted, as a QuoteDraft (rows in the order of their numbers)."""
    rows: dict[str, dict[int, dict[str, str]]] = {"line": {}, "section": {}}
    for name in form:
        match = _ROW.match(name)
        if match:
            kind, index, key = match.group(1), int(match.group(2)), match.group(3)
            rows[kind].setdefault(index, {})[key] = form.get(name, "")
    if len(rows["line"]) > MAX_ROWS or len(rows["section"]) > MAX_ROWS:
        abort(400, description="Too many rows.")
    lines = []
    for index in sorted(rows["line"]):
        values = rows["line"][index]
        if values.get("remove"):
            continue
        fields = {k: v for k, v in values.items() if k in _LINE_FIELDS - {"optional"}}
        lines.append(LineDraft(**fields, optional=bool(values.get("optional"))))
    sections = [SectionDraft(key=values.get("key", f"new-{index}"), title=values.get("title", ""))
                for index, values in sorted(rows["section"].items())]
    return QuoteDraft(**{k: form.get(k, "") for k in ("company_id", "contact_id", "title", "valid_until",
                                                        "introduction", "terms", "revision")},
                      sections=sections, lines=lines)


def customer_companies() -> list[Company]:
    return list(db.session.execute(
        select(Company).where(Company.is_customer.is_(True)).order_by(Company.name)).scalars())


def company_contacts() -> dict[int, list[User]]:
    """Each company's contacts, by name: the contact list, grouped by company."""
    rows = db.session.execute(
        select(Membership.company_id, User).join(User, User.id == Membership.user_id)
        .where(User.kind == UserKind.contact).order_by(User.name)).all()
    grouped: dict[int, list[User]] = {}
    for company_id, user in rows:
        grouped.setdefault(company_id, []).append(user)
    return grouped


def with_spare_rows(draft: QuoteDraft, *, posted: bool) -> QuoteDraft:
    """The draft with blank rows to type into and a blank section (a browser without script has no other
    way to add them; the script copies them). Opened: the blank lines follow the lines outside any section,
    so rows are numbered as shown. Posted back with errors: its rows keep their numbers (the messages
    name them); a blank line and section are added at the end when it has none."""
    keys = {s.key for s in draft.sections}
    sections = list(draft.sections)
    if not posted or not any(not s.title.strip() for s in sections):
        sections.append(SectionDraft(f"new-{len(sections) + 1}"))
    lines = list(draft.lines)
    if not posted:
        at = max((i + 1 for i, ln in enumerate(lines) if ln.section not in keys), default=0)
        lines[at:at] = [LineDraft() for _ in range(SPARE_LINES)]
    elif not any(ln.is_blank() for ln in lines):
        lines.append(LineDraft())
    return QuoteDraft(**{**draft.__dict__, "sections": sections, "lines": lines})


class QuoteBuilderScreen:
    """Mixed into the quote admin view: the builder for a new quote (its create page) and for each quote."""

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        return self._build(None)

    @expose("/builder/", methods=("GET", "POST"))
    def builder(self):
        quote_id = request.args.get("id", type=int) or 0
        # the row stays locked until this request commits: an acceptance cannot slip between check and save
        quote = db.session.get(Quote, quote_id, with_for_update=request.method == "POST")
        if quote is None:
            abort(404)
        return self._build(quote)

    @expose("/builder/products/")
    @json_api
    def builder_products(self):
        """Products the company may see matching ?q= (SKU or name), with its price at ?quantity= (JSON)."""
        company = db.session.get(Company, request.args.get("company_id", type=int) or 0)
        if company is None or not company.is_customer:
            return jsonify(error="Choose the customer company first.", products=[]), 400
        try:
            quantity = Decimal(request.args.get("quantity") or 1)
        except InvalidOperation:
            quantity = Decimal(1)
        if not quantity.is_finite() or quantity <= 0:
            quantity = Decimal(1)
        choices = quote_products.search(company, request.args.get("q", "")[:100], quantity)
        return jsonify(products=[c.as_json() for c in choices])

    def _build(self, quote: Quote | None):
        errors: dict[str, str] = {}
        status = 200
        closed = quote_builder.closed_reason(quote)
        if request.method == "POST":
            draft = draft_from_form(request.form)
            try:
                saved = quote_builder.save(quote, draft, by=current_actor())
            except BuilderError as exc:
                db.session.rollback()
                errors = exc.errors
                flash(closed or "The quote was not saved: correct what is marked below.", "error")
                if closed:
                    status = 409
            else:
                db.session.commit()
                flash(self._saved_message(saved), "success")
                return redirect(url_for(".builder", id=saved.quote.id))
        else:
            draft = quote_builder.draft_of(quote) if quote is not None else QuoteDraft(
                company_id=request.args.get("company_id", ""))
        if closed is None:
            draft = with_spare_rows(draft, posted=request.method == "POST")
        return self.render("admin/quote_builder.html", quote=quote, draft=draft, errors=errors, closed=closed,
                           companies=customer_companies(), contacts=company_contacts(),
                           stored_totals=quote is not None and request.method == "GET",
                           return_url=url_for(".edit_view", id=quote.id) if quote else url_for(".index_view")
                           ), status

    @staticmethod
    def _saved_message(saved: quote_builder.Saved) -> str:
        quote = saved.quote
        if saved.created:
            return f"Quote {quote} created as a draft. Set it to “sent” and share it when it is ready."
        if saved.revised:
            return (f"Quote {quote} saved as revision {quote.revision}: the client now sees this version. "
                    "Share it again to email them the news.")
        if not saved.changed:
            return f"Nothing changed on quote {quote}."
        return f"Quote {quote} saved."
