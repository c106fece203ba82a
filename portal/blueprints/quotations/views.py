"""Quote pages: the company's quotes for signed-in customers, and a quote opened by its share link."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import paging, settings
from portal.blueprints.quotations import bp, services
from portal.blueprints.quotations.forms import AcceptForm, ChangesForm, DeclineForm
from portal.extensions import db
from portal.i18n import N_, in_language_of
from portal.models import Quote, QuoteLine
from portal.pdf_download import pdf_download
from portal.permissions import can, current_actor, public, require_permission, scoped
from portal.services import clock, quote_acceptance, quote_answers, quote_payment, quote_shares
from portal.services.tokens import TokenError


@bp.route("/")
@require_permission("quotes.view")
def index():
    page = paging.page_of(services.visible_quotes(scoped(select(Quote), Quote)))
    return render_template("quotations/index.html", page=page, today=clock.today(),
                           is_expired=services.is_expired, is_priced=services.is_priced)


def _chosen(quote: Quote) -> frozenset[int]:
    """The optional lines the client ticked (the ?option= of the page or the PDF link)."""
    return services.chosen_options(quote, request.args.getlist("option", type=int))


def _quote_context(quote: Quote, may_decline: bool = True, accept_form: AcceptForm | None = None,
                   chosen: frozenset[int] | None = None, signer_email: str = "") -> dict:
    """The page of a quote; may_decline also means may accept (the quotes.accept permission)."""
    if accept_form is None:
        accept_form = AcceptForm(formdata=None, revision=quote.revision, email=signer_email)
    return {**services.document_context(quote, _chosen(quote) if chosen is None else chosen),
            "may_decline": may_decline,
            "answerable": quote.status in quote_answers.OPEN and not services.is_expired(quote),
            "changes_form": ChangesForm(), "decline_form": DeclineForm(), "accept_form": accept_form,
            "payment": quote_payment.payment_status(quote),
            "messages": services.conversation(quote, settings.get("branding.business_name"))}


def _own_quote(quote_id: int) -> Quote:
    return db.one_or_404(services.visible_quotes(
        scoped(select(Quote), Quote).where(Quote.id == quote_id)
        .options(selectinload(Quote.sections), selectinload(Quote.lines).joinedload(QuoteLine.product),
                 selectinload(Quote.messages))
    ))


@bp.route("/<int:quote_id>")
@require_permission("quotes.view")
def detail(quote_id: int):
    quote = _own_quote(quote_id)
    quote_shares.customer_opened(quote, current_actor())
    db.session.commit()
    return render_template("quotations/detail.html", **_quote_context(quote, _may_decline(),
                                                                       signer_email=current_user.email))


def _may_decline() -> bool:
    return can("quotes.accept")


def _answer(quote: Quote, form, answer, done: str, back: str, link=None):
    """Run one of the client's answers; a problem is a message on the page, nothing changes."""
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors) or _("Please try again."), "error")
        return redirect(back)
    try:
        answer(quote, form, current_actor(), link)
    except quote_answers.AnswerError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_(done), "success")
    return redirect(back)


def _changes(quote, form, actor, link):
    quote_answers.request_changes(quote, form.body.data, by=actor, link=link)


def _decline(quote, form, actor, link):
    quote_answers.decline(quote, form.reason.data, by=actor, link=link)


CHANGES_SENT = N_("Your message is sent. We will get back to you with a revised quote.")
DECLINED = N_("You declined the quote. Thank you for letting us know.")


@bp.route("/<int:quote_id>/changes", methods=["POST"])
@require_permission("quotes.view")
def request_changes(quote_id: int):
    quote = _own_quote(quote_id)
    return _answer(quote, ChangesForm(), _changes, CHANGES_SENT, url_for(".detail", quote_id=quote.id))


@bp.route("/<int:quote_id>/decline", methods=["POST"])
@require_permission("quotes.accept")
def decline(quote_id: int):
    quote = _own_quote(quote_id)
    return _answer(quote, DeclineForm(), _decline, DECLINED, url_for(".detail", quote_id=quote.id))


ACCEPTED = N_("Thank you: you accepted the quote. The signed PDF is on its way to %(email)s.")
ACCEPTED_BEFORE = N_("This quote was accepted already, by %(name)s on %(when)s UTC: nothing more to do.")


def _is_number(value: str | None) -> bool:
    return bool(value) and value.isascii() and value.isdigit() and len(value) < 12


def _accept(quote: Quote, render_page, back: str, link=None):
    """The typed-name e-signature: accepted (or found accepted) -> back to the page; a problem -> the page
    again with the message and what was typed, nothing changed."""
    form = AcceptForm()
    posted = request.form.getlist("option")
    options = tuple(int(value) for value in posted if _is_number(value))
    chosen = services.chosen_options(quote, options)

    def again(message: str):
        db.session.rollback()
        flash(message, "error")
        form.revision.data = str(quote.revision)  # the page shown again is the current revision
        return render_page(form, chosen), 200

    if not form.validate_on_submit():
        return again(" ".join(str(e) for errors in form.errors.values() for e in errors) or _("Please try again."))
    if len(options) != len(posted):
        return again(_("One of the optional lines you chose is not part of this quote. Reload the page and choose "
                       "again."))
    revision = form.revision.data
    signing = quote_acceptance.Signing(form.name.data or "", form.email.data or "", bool(form.consent.data), options,
                                       int(revision) if _is_number(revision) else None)
    try:
        result = quote_acceptance.accept(quote, signing, by=current_actor(), link=link)
    except quote_acceptance.AcceptError as exc:
        return again(str(exc))
    db.session.commit()
    first = result.signature
    if result.again:
        flash(_(ACCEPTED_BEFORE, name=first.signer_name, when=first.signed_at[:16].replace("T", " ")), "info")
    else:
        flash(_(ACCEPTED, email=first.signer_email), "success")
    return redirect(back)


@bp.route("/<int:quote_id>/accept", methods=["POST"])
@require_permission("quotes.accept")
def accept(quote_id: int):
    quote = _own_quote(quote_id)
    return _accept(quote, lambda form, chosen: render_template(
        "quotations/detail.html", **_quote_context(quote, True, form, chosen)),
        url_for(".detail", quote_id=quote.id))


@bp.route("/<int:quote_id>/pdf")
@require_permission("quotes.view")
def pdf(quote_id: int):
    quote = _own_quote(quote_id)
    body = services.quote_pdf(quote, _chosen(quote))
    quote_shares.track(quote_shares.PDF_DOWNLOADED, quote, current_actor())
    db.session.commit()
    return pdf_download(body, services.pdf_filename(quote))


def _link_problem(error: TokenError):
    db.session.rollback()
    # no Referer and no caching: portal.security_headers, for every page whose URL carries a token
    return render_template("quotations/link_problem.html", reason=error.reason,
                           contact=quote_shares.sender_of(error.token)), 404


@bp.route("/link/<token>")
@public
def shared(token: str):
    try:
        link, quote = quote_shares.open_link(token)
    except TokenError as error:
        return _link_problem(error)
    quote_shares.track(quote_shares.VIEWED, quote, current_actor(), link)
    db.session.commit()
    recipient = quote_shares.recipient_of(link)
    return render_template("quotations/shared.html", recipient=recipient, token=token,
                           **_quote_context(quote, signer_email=recipient.email))


@bp.route("/link/<token>/pdf")
@public
def shared_pdf(token: str):
    """The quote's PDF through a no-login link: in the business's language, as the link's page reads to
    anyone holding the link (it may be forwarded), whoever happens to be signed in on this browser."""
    try:
        link, quote = quote_shares.open_link(token)
    except TokenError as error:
        return _link_problem(error)
    with in_language_of(None):
        body = services.quote_pdf(quote, _chosen(quote))
    quote_shares.track(quote_shares.PDF_DOWNLOADED, quote, current_actor(), link)
    db.session.commit()
    return pdf_download(body, services.pdf_filename(quote))


def _shared_answer(token: str, form_class, answer, done: str):
    try:
        link, quote = quote_shares.open_link(token)
    except TokenError as error:
        return _link_problem(error)
    return _answer(quote, form_class(), answer, done, url_for(".shared", token=token), link)


@bp.route("/link/<token>/changes", methods=["POST"])
@public
def shared_changes(token: str):
    return _shared_answer(token, ChangesForm, _changes, CHANGES_SENT)


@bp.route("/link/<token>/accept", methods=["POST"])
@public
def shared_accept(token: str):
    try:
        link, quote = quote_shares.open_link(token)
    except TokenError as error:
        return _link_problem(error)
    return _accept(quote, lambda form, chosen: render_template(
        "quotations/shared.html", recipient=quote_shares.recipient_of(link), token=token,
        **_quote_context(quote, True, form, chosen)), url_for(".shared", token=token), link)


@bp.route("/link/<token>/decline", methods=["POST"])
@public
def shared_decline(token: str):
    return _shared_answer(token, DeclineForm, _decline, DECLINED)
