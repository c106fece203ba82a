"""Togglable portal features: declarations, the registry, and the per-request gate.

Every feature is a blueprint registered at start-up (Flask cannot add blueprints later);
whether it answers is decided per request from the settings, so a toggle is live.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from flask import Blueprint, Flask, abort, request

ENTRY_POINT_GROUP = "portal.features"


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: str
    permission: str | None = None
    icon: str = ""


@dataclass(frozen=True)
class SettingSpec:
    """A typed setting with a strict default. type: bool, int, decimal, str, text, choice, color."""

    default: Any
    label: str
    type: str = "bool"
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None


@dataclass
class Feature:
    key: str
    label: str
    description: str
    blueprint: Blueprint
    url_prefix: str
    default_enabled: bool = True
    #: reachable without signing in (e.g. the guest catalog)
    public: bool = False
    requires: frozenset[str] = frozenset()
    nav: tuple[NavEntry, ...] = ()
    permissions: dict[str, str] = field(default_factory=dict)
    settings: dict[str, SettingSpec] = field(default_factory=dict)
    #: staff notifications this feature sends: kind -> what happened ("order_placed": "A customer placed an order")
    notifications: dict[str, str] = field(default_factory=dict)
    #: who the pages are for: "customer", "supplier" or "guest" (drives nav and access policy)
    audience: str = "customer"
    admin_views: Callable[[], Iterable[Any]] | None = None

    @property
    def setting_key(self) -> str:
        return f"features.{self.key}"


class FeatureRegistry:
    def __init__(self) -> None:
        self.features: dict[str, Feature] = {}
        self._by_blueprint: dict[str, str] = {}

    def add(self, feature: Feature) -> None:
        if feature.key in self.features:
            raise ValueError(f"feature {feature.key!r} declared twice")
        self.features[feature.key] = feature
        self._by_blueprint[feature.blueprint.name] = feature.key

    def __iter__(self):
        return iter(self.features.values())

    def __contains__(self, key: str) -> bool:
        return key in self.features

    def get(self, key: str) -> Feature:
        return self.features[key]

    def key_for_blueprint(self, blueprint_name: str) -> str | None:
        return self._by_blueprint.get(blueprint_name)

    def validate(self) -> None:
        for feature in self:
            missing = feature.requires - self.features.keys()
            if missing:
                raise ValueError(f"feature {feature.key!r} requires unknown feature(s) {sorted(missing)}")

    def closure_on(self, key: str) -> set[str]:
        """The feature and everything it requires, transitively."""
        todo, seen = [key], set()
        while todo:
            k = todo.pop()
            if k not in seen:
                seen.add(k)
                todo.extend(self.features[k].requires)
        return seen

    def closure_off(self, key: str) -> set[str]:
        """The feature and everything that depends on it, transitively."""
        seen = {key}
        changed = True
        while changed:
            changed = False
            for f in self:
                if f.key not in seen and f.requires & seen:
                    seen.add(f.key)
                    changed = True
        return seen

    def resolve(self, wanted: dict[str, bool]) -> dict[str, bool]:
        """Make a set of toggles consistent: a feature whose requirement is off is off."""
        result = dict(wanted)
        changed = True
        while changed:
            changed = False
            for f in self:
                if result.get(f.key) and not all(result.get(r) for r in f.requires):
                    result[f.key] = False
                    changed = True
        return result


def builtin_features() -> list[Feature]:
    from portal.blueprints import BUILTIN_FEATURES

    return list(BUILTIN_FEATURES)


def plugin_features() -> list[Feature]:
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        obj = ep.load()
        found.append(obj() if callable(obj) and not isinstance(obj, Feature) else obj)
    return found


def build_registry(app: Flask, extra: Iterable[Feature] = ()) -> FeatureRegistry:
    registry = FeatureRegistry()
    features = builtin_features()
    if app.config.get("FEATURE_ENTRY_POINTS", True):
        features += plugin_features()
    features += list(extra)
    for feature in features:
        registry.add(feature)
    registry.validate()
    return registry


def init_features(app: Flask, extra: Iterable[Feature] = ()) -> FeatureRegistry:
    registry = build_registry(app, extra)
    app.extensions["portal_features"] = registry
    for feature in registry:
        app.register_blueprint(feature.blueprint, url_prefix=feature.url_prefix)
    app.before_request(_feature_gate)
    return registry


def registry() -> FeatureRegistry:
    from flask import current_app

    return current_app.extensions["portal_features"]


def is_enabled(key: str) -> bool:
    """Live flag of a feature (a feature whose requirement is off counts as off)."""
    from portal import settings

    return settings.enabled_features().get(key, False)


def _feature_gate():
    reg = registry()
    for name in request.blueprints:
        key = reg.key_for_blueprint(name)
        if key is not None and not is_enabled(key):
            abort(404)
