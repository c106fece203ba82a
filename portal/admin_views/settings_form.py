"""The portal settings form: one field per declared setting, grouped for the screen, and read back.

Field names are the setting keys themselves ("features.orders", "branding.primary_color"), so the
form, the stored values and the declarations never need a mapping between them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal import settings
from portal.features import registry

LOGO_KEY = "branding.logo_path"
LOGO_UPLOAD = "branding.logo"
LOGO_REMOVE = "branding.logo_remove"
OTHER_GROUP = ("other", "Other")


@dataclass
class SettingField:
    key: str
    label: str
    kind: str  # bool, int, decimal, str, text, choice, color, logo
    value: Any
    help: str = ""
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    error: str | None = None


@dataclass
class FeatureBlock:
    toggle: SettingField
    settings: list[SettingField]
    requires: list[str]


@dataclass
class SettingGroup:
    key: str
    label: str
    fields: list[SettingField] = field(default_factory=list)
    features: list[FeatureBlock] = field(default_factory=list)


def _field(key: str, values: dict, errors: dict) -> SettingField:
    spec = settings.specs()[key]
    kind = "logo" if key == LOGO_KEY else spec.type
    return SettingField(
        key=key, label=spec.label, kind=kind, value=values.get(key, spec.default), help=spec.help,
        choices=settings.choices_for(key) if kind == "choice" else (),
        minimum=spec.minimum, maximum=spec.maximum,
        error=(errors.get(LOGO_UPLOAD) or errors.get(key)) if kind == "logo" else errors.get(key),
    )


def build_groups(values: dict, errors: dict | None = None) -> list[SettingGroup]:
    """Features first (each with its own settings under it), then the core groups, then anything else."""
    errors = errors or {}
    specs = settings.specs()
    used: set[str] = set()
    features = SettingGroup("features", settings.GROUP_LABELS.get("features", "Features"))
    reg = registry()
    for feature in reg.togglable():
        own = [f"{feature.key}.{name}" for name in feature.settings]
        used.update([feature.setting_key, *own])
        features.features.append(FeatureBlock(
            toggle=_field(feature.setting_key, values, errors),
            settings=[_field(k, values, errors) for k in own],
            requires=sorted(reg.get(r).label for r in feature.requires),
        ))
    groups = [features]
    for group_key, label in [*settings.GROUP_LABELS.items(), OTHER_GROUP]:
        if group_key == "features":
            continue
        keys = [k for k in specs if k not in used and (settings.group_of(k) == group_key or group_key == "other")]
        used.update(keys)
        if keys:
            groups.append(SettingGroup(group_key, label, fields=[_field(k, values, errors) for k in keys]))
    return groups


def read_values(form) -> dict[str, Any]:
    """Raw values for every declared setting from a posted form (an unchecked box posts nothing: False)."""
    values = {}
    for key, spec in settings.specs().items():
        if key == LOGO_KEY:
            continue
        values[key] = key in form if spec.type == "bool" else form.get(key, "")
    return values


def validate(values: dict[str, Any]) -> dict[str, str]:
    """Errors per key, with the same wording settings.save() uses; nothing is stored."""
    errors = {}
    specs = settings.specs()
    for key, raw in values.items():
        try:
            settings.coerce(key, raw)
        except ValueError as exc:
            errors[key] = f"{specs[key].label} {exc}"
    return errors


def side_effects(requested: dict[str, Any], stored: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Features the dependency closure switched on / off beyond what the form asked for."""
    reg = registry()
    on, off = [], []
    for feature in reg.togglable():
        key = feature.setting_key
        if key in stored and key in requested and bool(stored[key]) != bool(requested[key]):
            (on if stored[key] else off).append(feature.label)
    return on, off


def saved_message(on: list[str], off: list[str]) -> str:
    parts = ["Settings saved."]
    if on:
        parts.append(f"Also switched on, because a feature you enabled needs it: {', '.join(on)}.")
    if off:
        parts.append(f"Also switched off, because it needs a feature you disabled: {', '.join(off)}.")
    return " ".join(parts)
