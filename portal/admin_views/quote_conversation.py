"""The quote screen's conversation panel: the thread with the client, and the staff reply (emailed)."""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_admin import expose
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from portal import settings
from portal.extensions import db
from portal.forms import PortalForm
from portal.models import Quote
from portal.permissions import current_actor
from portal.services import quote_answers
from portal.services.quote_thread import conversation


class QuoteReplyForm(PortalForm):
    body = TextAreaField("Reply to the client", validators=[InputRequired("Write the reply."),
                                                            Length(max=quote_answers.MESSAGE_LIMIT)])


class QuoteConversation:
    """Mixed into the quote admin view (which provides _quote_or_404)."""

    def conversation(self, quote: Quote):
        return conversation(quote, settings.get("branding.business_name"))

    def reply_form(self) -> QuoteReplyForm:
        return QuoteReplyForm()

    @expose("/reply/", methods=("POST",))
    def reply(self):
        quote = self._quote_or_404()
        form = QuoteReplyForm()
        if form.validate_on_submit():
            quote_answers.staff_reply(quote, form.body.data, by=current_actor())
            db.session.commit()
            flash("Reply added to the conversation and emailed to the client.", "success")
        else:
            flash("The reply was not sent: " + " ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for(".edit_view", id=quote.id) + "#conversation-panel")
