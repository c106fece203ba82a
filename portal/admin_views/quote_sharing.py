"""The quote screen's Share page and links panel: send a quote by a no-login link, list and revoke links."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length

from portal.extensions import db
from portal.forms import PortalForm
from portal.models import Quote
from portal.permissions import current_actor
from portal.services import quote_shares


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class QuoteShareForm(PortalForm):
    name = StringField("Recipient name", filters=[_strip],
                       validators=[InputRequired("Enter the recipient's name."), Length(max=120)])
    email = EmailField("Recipient email", filters=[_strip],
                       validators=[InputRequired("Enter the recipient's email address."),
                                   Email("Enter a valid email address.")])
    message = TextAreaField("Personal message", filters=[_strip], validators=[Length(max=4000)],
                            description="Optional. It appears in the email and starts the conversation on the "
                                        "quote's page.")


class QuoteSharing:
    """Mixed into the quote admin view."""

    def _quote_or_404(self) -> Quote:
        quote = db.session.get(Quote, request.args.get("id", type=int) or 0)
        if quote is None:
            abort(404)
        return quote

    def share_links(self, quote: Quote) -> list[dict]:
        """The rows of the links panel on the quote's edit page."""
        views = quote_shares.views_by_link(quote)
        return [{"link": link, "recipient": quote_shares.recipient_of(link), "state": quote_shares.link_state(link),
                 "views": views.get(link.id, 0)} for link in quote_shares.all_links(quote)]

    def engagement(self, quote: Quote) -> list[dict]:
        """The rows of the engagement timeline on the quote's edit page."""
        return [{"event": e, "what": quote_shares.EVENT_LABELS.get(e.kind, e.kind)
                 + (f": revision {e.data['revision']}" if (e.data or {}).get("revision") else ""),
                 "who": " ".join(filter(None, ((e.data or {}).get("recipient_name"),
                                               f"<{(e.data or {}).get('recipient_email')}>"
                                               if (e.data or {}).get("recipient_email") else ""))),
                 "by_link": bool((e.data or {}).get("link_id")),
                 "via": "share link" if (e.data or {}).get("link_id") else "back office"
                 if e.kind == "quote_revised" else "portal sign-in"} for e in quote_shares.timeline(quote)]

    @expose("/share/", methods=("GET", "POST"))
    def share(self):
        quote = self._quote_or_404()
        back = url_for(".edit_view", id=quote.id)
        form = QuoteShareForm()
        if request.method == "GET" and quote.contact is not None:
            form.name.data, form.email.data = quote.contact.name, quote.contact.email
        if form.validate_on_submit():
            try:
                quote_shares.share(quote, name=form.name.data, email=form.email.data, message=form.message.data,
                                   by=current_actor())
            except quote_shares.ShareError as exc:
                db.session.rollback()
                flash(str(exc), "error")
            else:
                db.session.commit()
                flash(f"Quote {quote} sent to {form.name.data} ({form.email.data}). Any earlier link of theirs "
                      "no longer works.", "success")
                return redirect(back)
        elif form.errors:
            flash("The quote was not shared: correct the marked fields.", "error")
        return self.render("admin/quote_share.html", form=form, quote=quote, return_url=back)

    @expose("/revoke-share/", methods=("POST",))
    def revoke_share(self):
        quote = self._quote_or_404()
        form = PortalForm()
        if form.validate_on_submit() and quote_shares.revoke(quote, request.form.get("link_id", type=int) or 0,
                                                             by=current_actor()):
            db.session.commit()
            flash("The link was withdrawn: it no longer opens the quote.", "success")
        else:
            db.session.rollback()
            flash("That link was not live.", "warning")
        return redirect(url_for(".edit_view", id=quote.id))
