"""Quote pages (read-only: acceptance and change requests come with the quote workflow)."""
from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import settings
from portal.blueprints.quotations import bp, services
from portal.extensions import db
from portal.models import Quote, QuoteLine
from portal.permissions import require_permission, scoped
from portal.services import clock


@bp.route("/")
@require_permission("quotes.view")
def index():
    page = db.paginate(services.visible_quotes(scoped(select(Quote), Quote)), per_page=25, error_out=False)
    return render_template("quotations/index.html", page=page, today=clock.today(),
                           is_expired=services.is_expired, is_priced=services.is_priced)


@bp.route("/<int:quote_id>")
@require_permission("quotes.view")
def detail(quote_id: int):
    quote = db.one_or_404(services.visible_quotes(
        scoped(select(Quote), Quote).where(Quote.id == quote_id)
        .options(selectinload(Quote.sections), selectinload(Quote.lines).joinedload(QuoteLine.product),
                 selectinload(Quote.messages))
    ))
    return render_template(
        "quotations/detail.html", quote=quote, expired=services.is_expired(quote, clock.today()),
        priced=services.is_priced(quote), sections=services.sections_with_lines(quote),
        messages=services.conversation(quote, settings.get("branding.business_name")),
    )
