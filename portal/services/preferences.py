"""Which optional emails a contact gets: one preference per ``pref`` of a declared email kind.

The choices are exactly those of the core and the enabled features (``EmailKind.pref``), so the
preferences page never offers an email that nothing sends. A preference never chosen is on.
"""
from __future__ import annotations

from portal import settings
from portal.features import registry
from portal.models import User


def offered() -> dict[str, str]:
    """pref key -> wording, for the emails of the core and the enabled features, in declared order."""
    return {pref: wording for _, prefs in offered_by_feature() for pref, wording in prefs.items()}


def offered_by_feature() -> list[tuple[str, dict[str, str]]]:
    """offered(), grouped under the label of the feature that declares each (the page's sections)."""
    enabled = settings.enabled_features()
    groups: list[tuple[str, dict[str, str]]] = []
    seen: set[str] = set()
    for feature in registry():
        if not enabled.get(feature.key):
            continue
        prefs = {}
        for kind in feature.emails.values():
            if kind.pref and kind.pref not in seen:
                seen.add(kind.pref)
                prefs[kind.pref] = kind.pref_label or kind.label
        if prefs:
            groups.append((feature.label, prefs))
    return groups


def of(user: User) -> dict[str, bool]:
    """Every offered preference with the user's state."""
    stored = user.notification_prefs or {}
    return {pref: bool(stored.get(pref, True)) for pref in offered()}


def wants(user: User, pref: str | None) -> bool:
    """Whether the user gets an email of this preference (None: always sent)."""
    if pref is None:
        return True
    return bool((user.notification_prefs or {}).get(pref, True))
