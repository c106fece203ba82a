"""The customer's language: which locale a page, email or PDF is rendered in, and the message catalogs.

A signed-in person reads the portal in the language chosen on their profile (``User.language``),
else in the business's default (the ``portal.language`` setting); guests get the business default.
Emails and PDFs for someone else are rendered inside ``in_language_of(user)``.

Catalogs (``portal/translations/<lang>/LC_MESSAGES/messages.po``) are compiled at app start when
the ``.mo`` is missing or older than the ``.po`` — into the package when it is writable (an editable
install, the Docker image at build time), else into ``instance/translations`` — so a fresh machine
needs no manual ``pybabel compile`` step.
"""
from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, has_app_context, has_request_context
from flask_babel import Babel, LazyString, force_locale, get_translations, refresh
from flask_babel import get_locale as babel_locale
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError

from portal import settings

#: the languages the portal speaks, as (code, name in that language)
LANGUAGES: tuple[tuple[str, str], ...] = settings.LANGUAGE_CHOICES
LANGUAGE_CODES = frozenset(code for code, _ in LANGUAGES)
DEFAULT_LANGUAGE = "en"
SETTING = "portal.language"

TRANSLATIONS = Path(__file__).resolve().parent / "translations"

babel = Babel()
log = logging.getLogger(__name__)

__all__ = [
    "LANGUAGES",
    "babel",
    "business_language",
    "current_locale",
    "force_locale",
    "in_language_of",
    "init_app",
    "language_name",
    "language_of",
    "lazy_text",
]


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later (``gettext(message)`` when shown)."""
    return message


class _PlainLazyString(LazyString):
    """A lazy translation that a template escapes like any other text (Flask-Babel's own is taken as markup)."""

    def __html__(self) -> str:
        return str(escape(str(self)))


def lazy_text(message: str, **variables) -> LazyString:
    """``lazy_gettext`` for texts made at import time (form labels, validator messages): translated when shown,
    escaped in a page like any other text. Import it as ``_l`` so pybabel extracts it."""
    return _PlainLazyString(_translated, message, **variables)


def _translated(message: str, **variables) -> str:
    """Flask-Babel's ``gettext`` from the request's kept translations (``page_translations``)."""
    text = page_translations().ugettext(message)
    return text % variables if variables else text


def language_name(code: str | None) -> str:
    return dict(LANGUAGES).get(code or "", code or "")


def business_language() -> str:
    """The business's default language (the ``portal.language`` setting)."""
    try:
        code = settings.get(SETTING)
    except SQLAlchemyError:  # the database is down: error pages still render, in the language last read
        code = settings.last_known(SETTING)
    return code if code in LANGUAGE_CODES else DEFAULT_LANGUAGE


def language_of(user) -> str:
    """The language to write to this person in: their own choice, else the business's."""
    code = getattr(user, "language", None)
    return code if code in LANGUAGE_CODES else business_language()


def select_locale() -> str:
    if has_request_context():
        try:
            if current_user and current_user.is_authenticated:
                return language_of(current_user)
        except SQLAlchemyError:
            pass
    return business_language()


def current_locale() -> str:
    """The active locale's code ("en" outside an app)."""
    if not has_app_context():
        return DEFAULT_LANGUAGE
    locale = babel_locale()
    return str(locale) if locale is not None else DEFAULT_LANGUAGE


@contextmanager
def in_language_of(user_or_code):
    """Render for someone else (an email, a PDF) in their language: a User, a language code or None
    (the business's default)."""
    code = user_or_code if isinstance(user_or_code, str) or user_or_code is None else language_of(user_or_code)
    if code not in LANGUAGE_CODES:
        code = business_language()
    with force_locale(code):
        yield code


def compile_catalogs(source: Path = TRANSLATIONS, fallback: Path | None = None) -> Path:
    """Compile every ``.po`` whose ``.mo`` is missing or stale; returns the directory holding the
    ``.mo`` files (the package, or ``fallback`` when the package is read-only)."""
    target = source
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        relative = po.relative_to(source).with_suffix(".mo")
        mo = source / relative
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            _write(po, mo)
        except OSError:
            if fallback is None:
                raise
            target = fallback
            alt = fallback / relative
            if not alt.exists() or alt.stat().st_mtime < po.stat().st_mtime:
                _write(po, alt)
    return target


def _write(po: Path, mo: Path) -> None:
    with po.open("rb") as handle:
        catalog = read_po(handle)
    mo.parent.mkdir(parents=True, exist_ok=True)
    tmp = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        write_mo(handle, catalog)
    tmp.replace(mo)  # atomic: another worker starting at the same time never reads half a file


def init_app(app: Flask) -> None:
    directory = compile_catalogs(fallback=Path(app.instance_path) / "translations")
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(directory)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: page_translations().ugettext(s),
        ngettext=lambda s, p, n: page_translations().ungettext(s, p, n),
        pgettext=lambda c, s: page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_translations().unpgettext(c, s, p, n),
        newstyle=True)
    # Jinja's own new-style gettext reaches the catalog through three template calls; these do what it does
    # (escaping, "%" formatting even without variables) in one, and pages translate dozens of texts.
    app.jinja_env.globals.update(gettext=_template_gettext, _=_template_gettext, ngettext=_template_ngettext)
    app.jinja_env.globals.update(portal_languages=LANGUAGES, current_locale=current_locale)


@pass_eval_context
def _template_gettext(eval_ctx, string: str, **variables) -> str:
    text = page_translations().ugettext(string)
    if not variables and "%" not in text:  # what "%" formatting would give
        return Markup(text) if eval_ctx.autoescape else text
    return (Markup(text) if eval_ctx.autoescape else text) % variables


@pass_eval_context
def _template_ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    text = page_translations().ungettext(singular, plural, num)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


def page_translations():
    """Flask-Babel's ``get_translations()``, kept for the rest of the request with the locale and domain
    it belongs to (Flask-Babel works them out again on every call, and a page translates dozens of
    texts). ``force_locale`` and ``refresh`` put another locale object in place, so a change of
    language is never answered from the kept catalog."""
    if not has_app_context():
        return get_translations()
    ctx = g.get("_flask_babel")
    locale = getattr(ctx, "babel_locale", None)
    if locale is not None:
        kept = getattr(ctx, "portal_translations", None)
        if kept is not None and kept[0] is locale and kept[1] is getattr(ctx, "babel_domain", None):
            return kept[2]
    translations = get_translations()
    ctx = g.get("_flask_babel")
    locale = getattr(ctx, "babel_locale", None)
    if locale is not None:
        ctx.portal_translations = (locale, getattr(ctx, "babel_domain", None), translations)
    return translations


def reset_cached_locale() -> None:
    """Forget the locale worked out for this request (after a profile's language changed)."""
    if has_app_context():
        refresh()
