"""A portal user's own account: profile, password, notification preferences."""
from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext as _

from portal.i18n import LANGUAGE_CODES
from portal.models import User
from portal.services import audit, passwords, preferences
from portal.services.actor import Actor

#: update_profile(language=KEEP) leaves the language as it is
KEEP = object()
_PHONE = re.compile(r"^[0-9+()./\- ]{5,40}$")


class AccountError(ValueError):
    """The change was refused; the message is shown to the user (beside `field` when given)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def update_profile(user: User, *, name: str, phone: str | None, by: Actor,
                   language: str | None = KEEP) -> list[str]:
    """Change name, phone and language ("" or None = the business's default); returns the fields
    that changed."""
    name = (name or "").strip()
    phone = (phone or "").strip() or None
    if not name:
        raise AccountError(_("Enter your name."), field="name")
    if len(name) > 120:
        raise AccountError(_("Your name can be at most 120 characters."), field="name")
    if phone is not None and not _PHONE.match(phone):
        raise AccountError(_("Enter a phone number with digits, spaces, +, - or brackets only."), field="phone")
    if language is KEEP:
        language = user.language
    language = (language or "").strip() or None
    if language is not None and language not in LANGUAGE_CODES:
        raise AccountError(_("Choose one of the offered languages."), field="language")
    wanted = (("name", name), ("phone", phone), ("language", language))
    changed = [field for field, value in wanted if getattr(user, field) != value]
    if changed:
        user.name, user.phone, user.language = name, phone, language
        audit.record("account.profile_updated", user, actor=by, fields=",".join(changed))
    return changed


def notification_prefs(user: User) -> dict[str, bool]:
    """Every offered preference with its state; one the user never chose is on."""
    return preferences.of(user)


def set_notification_prefs(user: User, enabled: Iterable[str], *, by: Actor) -> dict[str, bool]:
    """Switch on exactly the given offered preferences, the other offered ones off (the choices
    of features that are off now are kept as they were)."""
    enabled = set(enabled)
    offered = preferences.offered()
    unknown = enabled - offered.keys()
    if unknown:
        raise AccountError(_("Unknown notification kind: %(kinds)s.", kinds=", ".join(sorted(unknown))), field="kinds")
    before = notification_prefs(user)
    prefs = {kind: kind in enabled for kind in offered}
    if prefs != before:
        # A new dict, so the JSON column sees the change.
        user.notification_prefs = {**(user.notification_prefs or {}), **prefs}
        audit.record("account.notifications_updated", user, actor=by,
                     on=",".join(k for k, v in prefs.items() if v), off=",".join(k for k, v in prefs.items() if not v))
    return prefs


def change_password(user: User, *, current: str, new: str, confirm: str, by: Actor) -> None:
    """Check the current password, then set the new one: the strength rule applies, the user's other
    sessions and sign-in links end, the current session stays (passwords.change_password audits it)."""
    if not user.check_password(current or ""):
        raise AccountError(_("Your current password is not correct."), field="current")
    if new != confirm:
        raise AccountError(_("The new password and its confirmation do not match."), field="confirm")
    if new == current:
        raise AccountError(_("Choose a new password that differs from the current one."), field="new")
    try:
        passwords.change_password(user, new, by=by)
    except ValueError as error:
        raise AccountError(str(error), field="new") from None
