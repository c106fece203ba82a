"""Compose branded emails from templates and put them in the outbox.

Kinds of email are declared by the core and the features (``Feature.emails``: an EmailKind with
its template path); sending an undeclared kind is an error. A kind's template is the file pair
``<template>.txt`` (plain text, its first line sets ``subject``) and optionally ``<template>.html``
(extends email/_layout.html). A staff-edited EmailTemplate row with key == kind overrides subject
and text; its HTML part is then the text in the branded layout.
"""
from __future__ import annotations

import logging
from urllib.parse import quote

from flask import current_app, has_request_context, url_for
from jinja2 import TemplateError, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import func, select

from portal import settings
from portal.contract import EmailKind
from portal.extensions import db
from portal.features import registry
from portal.i18n import in_language_of, language_of
from portal.models import EmailTemplate, OutboxEmail, User
from portal.services import offers, outbox, portal_address, preferences

log = logging.getLogger(__name__)

_sandbox = SandboxedEnvironment(autoescape=False)


def external_url(endpoint: str, _base: str | None = None, **values) -> str:
    """Absolute link for emails.

    Production: always the configured portal address (portal.services.portal_address), never the
    request's Host. Elsewhere: the configured address, else `_base` (a link_base() kept from the
    request that asked for the email), else the request's host, else SERVER_NAME, else
    http://127.0.0.1:5000.
    """
    if portal_address.is_production():
        return portal_address.production_base() + _path_for(endpoint, values)
    base = portal_address.configured_base() or (_base or "").rstrip("/")
    if base:
        return base + _path_for(endpoint, values)
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    if current_app.config.get("SERVER_NAME"):
        with current_app.test_request_context("/"):
            return url_for(endpoint, _external=True, **values)
    return "http://127.0.0.1:5000" + _path_for(endpoint, values)


def company_url(endpoint: str, company_id: int | None, _base: str | None = None, **values) -> str:
    """external_url of a page about one company's document: opening it switches a person who works for
    several companies to that one first (portal.company_link)."""
    if company_id:
        values["company"] = company_id
    return external_url(endpoint, _base, **values)


def link_base() -> str:
    """The scheme and host emailed links start with now (see external_url), for email composed
    later, outside this request."""
    home = external_url("core.home")
    return home[: len(home) - len(_path_for("core.home", {}))]


def _path_for(endpoint: str, values: dict) -> str:
    values = dict(values)
    anchor = values.pop("_anchor", None)
    path = current_app.url_map.bind("localhost", script_name="/").build(endpoint, values)
    return path + ("#" + quote(str(anchor), safe="") if anchor else "")


#: what every email may use besides its own placeholders
BRANDING_PLACEHOLDERS = ("business_name", "primary_color", "accent_color", "footer_text", "logo_url", "portal_url",
                         "portal_offers")


def kinds() -> dict[str, EmailKind]:
    """Every declared kind of email (core and features)."""
    return registry().email_kinds()


def kind_of(kind: str) -> EmailKind:
    declared = kinds()
    if kind not in declared:
        raise KeyError(f"undeclared kind of email {kind!r}: declare it in its feature's `emails`")
    return declared[kind]


def placeholders(kind: str) -> tuple[str, ...]:
    """What a template for this kind of email may use; a key that is no declared kind is a
    staff notification template."""
    declared = kinds()
    own = (declared.get(kind) or declared["staff_notice"]).placeholders
    return tuple(dict.fromkeys((*own, *BRANDING_PLACEHOLDERS)))


def branding() -> dict:
    return {
        "business_name": settings.get("branding.business_name"),
        "primary_color": settings.get("branding.primary_color"),
        "accent_color": settings.get("branding.accent_color"),
        "footer_text": settings.get("branding.footer_text"),
        "logo_url": external_url("core.brand_logo") if settings.get("branding.logo_path") else "",
        "portal_url": external_url("core.home"),
        #: what the enabled features let a customer do, e.g. "follow your orders and track your shipments"
        "portal_offers": offers.sentence(),
    }


def render(kind: str, template: EmailTemplate | None = None, **context) -> tuple[str, str, str]:
    """(subject, text, html) for one kind of email: the given staff-edited template, else the one
    whose key is the kind, else the declared template files."""
    spec = kind_of(kind)
    context = {**branding(), **context}
    override = template or db.session.execute(select(EmailTemplate).filter_by(key=kind)).scalar_one_or_none()
    if override is not None:
        try:
            subject = _sandbox.from_string(override.subject).render(context)
            text = _sandbox.from_string(override.body_text).render(context)
            return _one_line(subject), text.strip() + "\n", _html_from_text(text, subject, context)
        except TemplateError:
            # A typo in a staff-edited template must not stop invitations going out.
            log.exception("email template %r is broken; using the built-in one", kind)
    env = current_app.jinja_env
    module = env.get_template(f"{spec.template}.txt").make_module(context)
    subject = _one_line(str(getattr(module, "subject", "")) or spec.label)
    text = str(module).strip() + "\n"
    try:
        html = env.get_template(f"{spec.template}.html").render(subject=subject, **context)
    except TemplateNotFound:
        html = _html_from_text(text, subject, context)
    return subject, text, html


def _one_line(subject: str) -> str:
    return " ".join(subject.split())[:255]


def _html_from_text(text: str, subject: str, context: dict) -> str:
    paragraphs = [p.strip() for p in text.strip().split("\n\n") if p.strip()]
    return current_app.jinja_env.get_template("email/_from_text.html").render(
        subject=subject, paragraphs=paragraphs, **context)


def language_for(to_user_or_address: User | str | None) -> str:
    """The language to write to a recipient in (emails and the PDFs attached to them): a person's own
    choice; an address that belongs to an account, that account's; any other address, the business's."""
    user = to_user_or_address
    if isinstance(user, str):
        address = user.strip().lower()
        user = db.session.execute(select(User).where(func.lower(User.email) == address)).scalar_one_or_none() \
            if address else None
    return language_of(user)


def send(kind: str, to_user_or_address: User | str, template: EmailTemplate | None = None,
         attachments: tuple[outbox.Attachment, ...] = (), **context) -> OutboxEmail | None:
    """Render an email and queue it in the outbox (same transaction as the caller's action), with
    `attachments` (outbox.Attachment) sent along.

    An undeclared kind raises KeyError before anything is queued. A user who switched off the
    kind's notification preference gets nothing (None is returned).
    """
    spec = kind_of(kind)
    if isinstance(to_user_or_address, User) and not preferences.wants(to_user_or_address, spec.pref):
        return None
    if isinstance(to_user_or_address, User):
        user, address = to_user_or_address, to_user_or_address.email
        context.setdefault("recipient_name", user.name)
    else:
        user, address = None, to_user_or_address
        context.setdefault("recipient_name", "")
    with in_language_of(language_for(to_user_or_address)):  # the recipient's (see language_for)
        subject, text, html = render(kind, template, **context)
    return outbox.queue(kind, address, subject, text, html, user=user, attachments=attachments)
