"""Outgoing email: the outbox (read-only), staff-editable templates, who hears about what."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

import re

from flask import current_app, flash, redirect
from flask_admin import expose
from flask_admin.actions import action
from jinja2 import Environment, TemplateSyntaxError, meta
from markupsafe import Markup, escape
from sqlalchemy import func, select, update

from portal.admin_views.base import ReadOnlyModelView, StaffModelView, field_error, selected_ids
from portal.admin_views.return_urls import back_to
from portal.extensions import db
from portal.models import EmailTemplate, OutboxEmail, OutboxStatus
from portal.models.base import utcnow
from portal.permissions import current_actor
from portal.services import audit, mailer, outbox
from portal.services.link_masking import MASK, mask_links

SETTINGS = "Settings"
LOGS = "Logs"


_URL = re.compile(r"https?://[^\s<>\"']+")
RESENDABLE = outbox.RESENDABLE


def _link(match) -> str:
    url = match.group(0)
    return url if MASK in url else f'<a href="{url}" rel="noopener noreferrer">{url}</a>'


def _body(view, context, model, name):
    """The text body as sent, the tokens of its links masked (portal.services.link_masking) and the
    other links clickable."""
    text = mask_links(str(escape(model.body_text or "")))
    linked = _URL.sub(_link, text)
    return Markup(f'<pre class="email-body" style="white-space: pre-wrap">{linked}</pre>')


def _error(view, context, model, name):
    return Markup(f'<pre class="mb-0" style="white-space: pre-wrap">{escape(model.last_error)}</pre>') \
        if model.last_error else ""


def _short_error(view, context, model, name):
    """The last error in the list, cut to one line (the details page has all of it)."""
    error = " ".join((model.last_error or "").split())
    return error if len(error) <= 80 else error[:79] + "…"


class OutboxEmailAdmin(ReadOnlyModelView):
    column_list = ("created_dt", "kind", "to_address", "subject", "status", "attempts", "last_error",
                   "next_attempt_dt", "sent_dt")
    column_details_list = ("created_dt", "kind", "to_address", "subject", "status", "attempts", "last_error",
                           "next_attempt_dt", "sent_dt", "message_id", "body_text")
    column_searchable_list = ("to_address", "subject", "kind")
    column_filters = ("status", "kind", "created_dt", "sent_dt")
    column_labels = {"to_address": "To", "next_attempt_dt": "Next attempt", "sent_dt": "Sent",
                     "body_text": "Text", "last_error": "Last error", "message_id": "Message-ID"}
    column_descriptions = {"status": "Held: no SMTP server is configured; open the email to read it (the "
                                     "tokens of sign-in and invitation links are masked: hand over a fresh "
                                     "link with Copy link on the Invitations screen). Failed: still not "
                                     "delivered when its retry window closed.",
                           "subject": "Click the eye icon of a row to read the email."}
    column_formatters = {"last_error": _short_error}
    column_formatters_detail = {"body_text": _body, "last_error": _error}

    @action("requeue", "Resend", "Send the selected emails again (sent, failed or held ones)?")
    def action_requeue(self, ids):
        emails = db.session.execute(
            select(OutboxEmail).where(OutboxEmail.id.in_(selected_ids(ids)))).scalars().all()
        dead_links = [email for email in emails if outbox.lost_its_links(email)]
        again = [email for email in emails if email.status in RESENDABLE and email not in dead_links]
        for email in again:
            outbox.resend(email)
        if again:
            audit.record("outbox.resend", None, actor=current_actor(), emails=",".join(str(e.id) for e in again))
        db.session.commit()
        flash(f"{len(again)} email(s) queued again.", "success")
        if dead_links:
            flash(f"{len(dead_links)} selected email(s) held a personal link (sign-in, invitation or password "
                  "reset) that is kept only in the recipient's mailbox; they were not sent again. Send the "
                  "person a fresh one: Resend on the Invitations screen, or they ask for a sign-in link.", "warning")
        if len(again) + len(dead_links) < len(emails):
            flash(f"{len(emails) - len(again) - len(dead_links)} selected email(s) are already waiting to be sent; "
                  "use \"Deliver now\" for them.", "info")

    @action("deliver", "Deliver now", "Try to deliver the selected waiting emails now?")
    def action_deliver(self, ids):
        wanted = selected_ids(ids)
        # A waiting email whose retry is scheduled later is tried now.
        db.session.execute(update(OutboxEmail).where(OutboxEmail.id.in_(wanted),
                                                     OutboxEmail.status == OutboxStatus.queued)
                           .values(next_attempt_dt=utcnow()))
        audit.record("outbox.deliver_now", None, actor=current_actor(), emails=",".join(map(str, wanted)))
        db.session.commit()
        # The web process sends only a few itself; the delivery worker takes the rest (due now).
        config = current_app.config
        limit = min(len(wanted), max(int(config.get("OUTBOX_AFTER_REQUEST_LIMIT", 5)), 1))
        report = outbox.deliver_due(current_app._get_current_object(), limit=limit, ids=wanted,
                                    budget=float(config.get("OUTBOX_AFTER_REQUEST_SECONDS", 10)))
        if report.total == 0:
            flash("None of the selected emails was waiting to be sent. Use \"Resend\" to send a sent, failed "
                  "or held email again.", "info")
        elif report.held:
            flash(f"No SMTP server is configured (MAIL_SERVER): {report.held} email(s) are held here. Open an "
                  "email to read it; hand over a fresh invitation link with Copy link on the Invitations screen.",
                  "warning")
        else:
            flash(f"Delivery: {report}.", "success" if not (report.retrying or report.failed) else "warning")
        due = db.session.execute(select(func.count()).select_from(OutboxEmail).where(
            OutboxEmail.id.in_(wanted), OutboxEmail.status == OutboxStatus.queued,
            OutboxEmail.next_attempt_dt <= utcnow())).scalar_one()
        if due and not report.held:
            flash(f"{due} more selected email(s) are due now: the delivery worker sends them.", "info")

    @expose("/resend-failed/", methods=("POST",))
    def resend_failed(self):
        """"Resend all failed" (the alert on every back-office page): queue every failed email again."""
        again = outbox.resend_failed()
        if again:
            audit.record("outbox.resend", None, actor=current_actor(), emails=",".join(str(e.id) for e in again))
        db.session.commit()
        if again:
            flash(f"{len(again)} failed email(s) queued again with a fresh retry window.", "success")
        else:
            flash("No email has failed.", "info")
        return redirect(back_to(self.get_url(".index_view")))


def _check_template(form, name: str, text: str, key: str) -> None:
    """A syntax error or a placeholder the email will not have is a form error (a typo would
    otherwise print nothing in every email)."""
    try:
        parsed = Environment().parse(text or "")
    except TemplateSyntaxError as exc:
        field_error(form, name, f"Template error on line {exc.lineno}: {exc.message}")
    allowed = mailer.placeholders(key)
    unknown = sorted(meta.find_undeclared_variables(parsed) - set(allowed))
    if unknown:
        field_error(form, name, f"Unknown placeholder{'s' if len(unknown) > 1 else ''} "
                                f"{', '.join('{{ ' + u + ' }}' for u in unknown)}. "
                                f"This email can use: {', '.join(allowed)}.")


class _KeyHelp:
    """The key field's help, written when the form is shown: the declared kinds depend on the features."""

    def __str__(self) -> str:
        kinds = ", ".join(mailer.kinds())
        return (f"To replace a built-in email use its key ({kinds}). Any other key makes a template you can "
                "choose for a staff notification under Portal settings.")


class EmailTemplateAdmin(StaffModelView):
    column_list = ("key", "name", "subject")
    column_searchable_list = ("key", "name", "subject", "body_text")
    column_default_sort = ("key", False)
    column_labels = {"body_text": "Body"}
    column_descriptions = {"body_text": "Plain text with {{ placeholders }}; a blank line starts a new paragraph."}
    form_columns = ("key", "name", "subject", "body_text")
    form_widget_args = {"body_text": {"rows": 16}}
    form_args = {"key": {"description": _KeyHelp()}}

    def on_model_change(self, form, model, is_created):
        model.key = (model.key or "").strip()
        _check_template(form, "subject", model.subject, model.key)
        _check_template(form, "body_text", model.body_text, model.key)
        super().on_model_change(form, model, is_created)


def views():
    return [
        OutboxEmailAdmin(OutboxEmail, "Outbox", LOGS),
        EmailTemplateAdmin(EmailTemplate, "Email templates", SETTINGS),
    ]

