"""Quote pages: the company's quotes for signed-in customers, and a quote opened by its share link."""
from flask import make_response, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import settings
from portal.blueprints.quotations import bp, services
from portal.extensions import db
from portal.models import Quote, QuoteLine
from portal.permissions import current_actor, public, require_permission, scoped
from portal.services import clock, quote_shares
from portal.services.tokens import TokenError


@bp.route("/")
@require_permission("quotes.view")
def index():
    page = db.paginate(services.visible_quotes(scoped(select(Quote), Quote)), per_page=25, error_out=False)
    return render_template("quotations/index.html", page=page, today=clock.today(),
                           is_expired=services.is_expired, is_priced=services.is_priced)


def _quote_context(quote: Quote) -> dict:
    return {"quote": quote, "label": quote.number or f"Request #{quote.id}",
            "expired": services.is_expired(quote, clock.today()), "priced": services.is_priced(quote),
            "sections": services.sections_with_lines(quote),
            "messages": services.conversation(quote, settings.get("branding.business_name"))}


@bp.route("/<int:quote_id>")
@require_permission("quotes.view")
def detail(quote_id: int):
    quote = db.one_or_404(services.visible_quotes(
        scoped(select(Quote), Quote).where(Quote.id == quote_id)
        .options(selectinload(Quote.sections), selectinload(Quote.lines).joinedload(QuoteLine.product),
                 selectinload(Quote.messages))
    ))
    return render_template("quotations/detail.html", **_quote_context(quote))


def _private(body, status: int = 200):
    """Share pages: the link's token must not leak by Referer, nor stay in a cache."""
    response = make_response(body, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/link/<token>")
@public
def shared(token: str):
    try:
        link, quote = quote_shares.open_link(token)
    except TokenError as error:
        db.session.rollback()
        return _private(render_template("quotations/link_problem.html", reason=error.reason,
                                        contact=quote_shares.sender_of(error.token)), 404)
    quote_shares.track(quote_shares.VIEWED, quote, current_actor(), link)
    db.session.commit()
    return _private(render_template("quotations/shared.html", recipient=quote_shares.recipient_of(link),
                                    **_quote_context(quote)))
