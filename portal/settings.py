"""Typed, DB-backed settings with strict declared defaults, read once per request.

Keys are declared (core ones here, feature ones as ``<feature>.<name>`` from each Feature);
reading or saving an undeclared key is an error. Values are cached in the request environ,
so a toggle saved by any worker is seen on that worker's next request.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import select

from portal.contract import SettingSpec
from portal.extensions import db
from portal.features import registry
from portal.models import SettingValue
from portal.reading import rows
from portal.web_address import normalise_base_url

HIDDEN_PRICE_CHOICES = (("zero", "A zero amount (€0.00 in the customer's currency)"),
                        ("on_request", "“Price on request”"))
STOCK_CHOICES = (("off", "Hidden"), ("number", "The number in stock (and incoming)"),
                 ("indication", "In stock / incoming / out of stock"))
#: the languages the portal speaks, as (code, name in that language); see portal.i18n
LANGUAGE_CHOICES = (("en", "English"), ("nl", "Nederlands"))

CORE_SETTINGS: dict[str, SettingSpec] = {
    "portal.language": SettingSpec("en", "Default language", type="choice", choices=LANGUAGE_CHOICES,
                                   help="For guests, emails and contacts who have not chosen a language on "
                                        "their profile"),
    "prices.hide": SettingSpec(False, "Hide prices in the portal",
                               help="Product prices and the amounts of quotes and orders; invoices, receipts and "
                                    "credit notes always show what is owed and paid"),
    "prices.hidden_as": SettingSpec("zero", "Hidden prices show as", type="choice", choices=HIDDEN_PRICE_CHOICES),
    "stock.display": SettingSpec("indication", "Stock display", type="choice", choices=STOCK_CHOICES),
    "stock.show_incoming": SettingSpec(True, "Show incoming stock and its expected date"),
    "ordering.allow_orders": SettingSpec(True, "Customers may place orders"),
    "ordering.allow_quote_requests": SettingSpec(True, "Customers may request quotes"),
    "pricing.portal_discount_percent": SettingSpec("0", "Blanket portal discount (%)", type="decimal",
                                                   minimum=0, maximum=100),
    "branding.business_name": SettingSpec("Portal", "Business name", type="str"),
    "branding.logo_path": SettingSpec("", "Logo", type="str", help="Uploaded image shown in the header"),
    "branding.primary_color": SettingSpec("#1d4ed8", "Primary colour", type="color"),
    "branding.accent_color": SettingSpec("#b45309", "Accent colour", type="color"),
    "branding.footer_text": SettingSpec("", "Footer text", type="text"),
    "domain.base_url": SettingSpec("", "Portal address for links in emails", type="url",
                                   help="e.g. https://portal.example.com or https://portal.yourcompany.com (a "
                                        "custom subdomain or domain): the scheme and host, and a plain path only "
                                        "when the portal is served under one. Empty uses "
                                        "PORTAL_BASE_URL or the first trusted host. Test checks that it reaches "
                                        "this portal"),
}

GROUP_LABELS = {
    "features": "Features",
    "portal": "Language",
    "prices": "Prices",
    "stock": "Stock display",
    "ordering": "Ordering",
    "pricing": "Discount",
    "branding": "Branding",
    "domain": "Domain",
}

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_ENVIRON_KEY = "portal.settings"
_TYPED_KEY = "portal.settings.typed"
_FLAGS_KEY = "portal.settings.features"
_LAST_KNOWN = "portal_settings_last_known"


class SettingsError(ValueError):
    """Raised by save() with a message per offending key."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def specs() -> dict[str, SettingSpec]:
    """Every declared setting: core, one toggle per feature, and each feature's own."""
    cached = current_app.extensions.get("portal_setting_specs")
    if cached is not None:
        return cached
    result = dict(CORE_SETTINGS)
    for feature in registry():
        if not feature.always_on:
            result[feature.setting_key] = SettingSpec(feature.default_enabled, feature.label,
                                                      help=feature.description)
        for name, spec in feature.settings.items():
            result[f"{feature.key}.{name}"] = spec
    current_app.extensions["portal_setting_specs"] = result
    return result


def group_of(key: str) -> str:
    return key.split(".", 1)[0]


#: built once: every request reads the settings
_STORED = select(SettingValue.key, SettingValue.value)


def _load() -> dict[str, Any]:
    stored = dict(rows(_STORED).all())
    values = {key: stored.get(key, spec.default) for key, spec in specs().items()}
    current_app.extensions[_LAST_KNOWN] = values
    return values


def last_known(key: str) -> Any:
    """The value this process read last (the default before any read), without a query: for the
    pages that must render while the database is unavailable (error pages)."""
    return (current_app.extensions.get(_LAST_KNOWN) or {}).get(key, specs()[key].default)


def all_values() -> dict[str, Any]:
    """All settings, one query per request."""
    if has_request_context():
        cached = request.environ.get(_ENVIRON_KEY)
        if cached is None:
            cached = request.environ[_ENVIRON_KEY] = _load()
        return cached
    return _load()


def get(key: str) -> Any:
    """One setting's value (decimals as Decimal); in a request, from the values read once for it."""
    if has_request_context():
        typed = request.environ.get(_TYPED_KEY)
        if typed is None:
            typed = request.environ[_TYPED_KEY] = _typed(all_values())
    else:
        typed = _typed(_load())
    try:
        return typed[key]
    except KeyError:
        raise KeyError(f"undeclared setting {key!r}") from None


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    declared = specs()
    return {key: Decimal(str(value)) if declared[key].type == "decimal" else value
            for key, value in values.items() if key in declared}


def choices_for(key: str) -> tuple[tuple[str, str], ...]:
    spec = specs()[key]
    return spec.choices_from() if spec.choices_from is not None else spec.choices


def coerce(key: str, raw: Any) -> Any:
    """Validate one value against its spec; returns the value to store or raises ValueError."""
    spec = specs()[key]
    kind = spec.type
    if kind == "bool":
        if isinstance(raw, str):
            return raw.lower() in ("1", "true", "on", "yes", "y")
        return bool(raw)
    if kind == "int":
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise ValueError("must be a whole number") from None
        _check_range(spec, value)
        return value
    if kind == "decimal":
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError("must be a number") from None
        if not value.is_finite():
            raise ValueError("must be a number")
        _check_range(spec, value)
        return str(value)
    text = "" if raw is None else str(raw).strip()
    if kind == "color":
        if not _COLOR.match(text):
            raise ValueError("must be a colour like #1d4ed8")
        return text.lower()
    if kind == "choice":
        allowed = [c for c, _ in choices_for(key)]
        if text not in allowed:
            raise ValueError("is not one of the offered choices")
        return text
    if kind == "url":
        production = current_app.config.get("ENV_NAME") == "production"
        return normalise_base_url(text, require_https=production) if text else ""
    if kind == "str" and len(text) > 255:
        raise ValueError("must be at most 255 characters")
    if kind == "str" and any(c in text for c in "\t\r\n"):
        raise ValueError("must be a single line (no tabs or line breaks)")
    if kind == "text" and len(text) > 5000:
        raise ValueError("must be at most 5000 characters")
    return text


def _check_range(spec: SettingSpec, value) -> None:
    if spec.minimum is not None and value < spec.minimum:
        raise ValueError(f"must be at least {spec.minimum:g}")
    if spec.maximum is not None and value > spec.maximum:
        raise ValueError(f"must be at most {spec.maximum:g}")


def save(values: dict[str, Any], commit: bool = True) -> dict[str, Any]:
    """Validate and store several settings at once; nothing is stored if any value is bad."""
    all_specs = specs()
    unknown = [k for k in values if k not in all_specs]
    if unknown:
        raise KeyError(f"undeclared setting(s) {unknown}")
    errors, clean = {}, {}
    for key, raw in values.items():
        try:
            clean[key] = coerce(key, raw)
        except ValueError as exc:
            errors[key] = f"{all_specs[key].label} {exc}"
    if errors:
        raise SettingsError(errors)
    feature_keys = {k for k in clean if k.startswith("features.")}
    if feature_keys:
        clean.update(_consistent_feature_toggles(clean))
    for key, value in clean.items():
        row = db.session.get(SettingValue, key)
        if row is None:
            db.session.add(SettingValue(key=key, value=value))
        else:
            row.value = value
    if commit:
        db.session.commit()
    if has_request_context():
        request.environ.pop(_ENVIRON_KEY, None)
        request.environ.pop(_TYPED_KEY, None)
        request.environ.pop(_FLAGS_KEY, None)
    return clean


def _consistent_feature_toggles(changes: dict[str, Any]) -> dict[str, bool]:
    """Close the requested toggles over `requires`: on pulls requirements on, off pulls dependants off."""
    reg = registry()
    current = {f.key: bool(all_values()[f.setting_key]) for f in reg.togglable()}
    result = dict(current)
    # Only what the user changed drives the closure; a form posts every toggle.
    flips = {k.split(".", 1)[1]: bool(v) for k, v in changes.items() if k.startswith("features.")}
    flips = {k: v for k, v in flips.items() if v != current.get(k)}
    for key in [k for k, on in flips.items() if on]:
        for k in reg.closure_on(key):
            result[k] = True
    for key in [k for k, on in flips.items() if not on]:
        for k in reg.closure_off(key):
            result[k] = False
    return {f"features.{k}": v for k, v in result.items() if k in current}


def set_feature(key: str, enabled: bool) -> dict[str, bool]:
    return save({f"features.{key}": enabled})


def enabled_features() -> dict[str, bool]:
    """Every feature's live flag (the core is always on; a feature whose requirement is off is off).
    In a request, worked out once from the values read for it."""
    if has_request_context():
        flags = request.environ.get(_FLAGS_KEY)
        if flags is None:
            flags = request.environ[_FLAGS_KEY] = _resolve_features(all_values())
        return dict(flags)
    return _resolve_features(all_values())


def _resolve_features(values: dict[str, Any]) -> dict[str, bool]:
    return registry().resolve({f.key: bool(values[f.setting_key]) for f in registry().togglable()})


def is_enabled(key: str) -> bool:
    """Live flag of one feature, as of this request."""
    return enabled_features().get(key, False)
