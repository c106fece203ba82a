"""The feature registry: every declared feature (core, built-in, plugins) and what they bring.

``create_app`` hands the built-in list to :func:`init_features`; plugins come from the
``portal.features`` entry-point group. Everything the core reads per feature — permissions,
grants, emails, staff events, document numbers, dashboard blocks, isolation factories — is read
from here, so adding a feature never means editing a core dictionary. Whether a feature is on is
a setting (``portal.settings.is_enabled``), checked per request by ``portal.gates``.
"""
from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import entry_points

from flask import Flask, current_app

from portal.contract import AUDIENCES, ActivityKind, Block, EmailKind, Feature, IsolationArg, NumberKind

ENTRY_POINT_GROUP = "portal.features"


class FeatureRegistry:
    def __init__(self, features: Iterable[Feature] = ()) -> None:
        self.features: dict[str, Feature] = {}
        self._by_blueprint: dict[str, str] = {}
        for feature in features:
            self.add(feature)

    def add(self, feature: Feature) -> None:
        if feature.key in self.features:
            raise ValueError(f"feature {feature.key!r} declared twice")
        if feature.audience not in AUDIENCES:
            raise ValueError(f"feature {feature.key!r}: audience must be one of {AUDIENCES}")
        self.features[feature.key] = feature
        self._by_blueprint[feature.blueprint.name] = feature.key

    def __iter__(self):
        return iter(self.features.values())

    def __contains__(self, key: str) -> bool:
        return key in self.features

    def get(self, key: str) -> Feature:
        return self.features[key]

    def togglable(self) -> list[Feature]:
        """The features staff switch on and off (everything but the core)."""
        return [f for f in self if not f.always_on]

    # --- requests and back-office screens -> features -------------------------------------------

    def key_for_blueprint(self, blueprint_name: str) -> str | None:
        return self._by_blueprint.get(blueprint_name)

    def claim_blueprint(self, blueprint_name: str, feature_key: str) -> None:
        """A blueprint (a back-office screen) that answers only while the feature is on."""
        self._by_blueprint[blueprint_name] = feature_key

    # --- what the features declare, merged --------------------------------------------------------

    def permissions(self) -> dict[str, str]:
        return {k: v for f in self for k, v in f.permissions.items()}

    def grants(self) -> list[tuple[str, str, str]]:
        """(feature key, role name, permission) for every default grant, in declaration order."""
        return [(f.key, role, perm) for f in self for role, perms in f.grants.items() for perm in sorted(perms)]

    def email_kinds(self) -> dict[str, EmailKind]:
        return {k: v for f in self for k, v in f.emails.items()}

    def feature_of_email(self, kind: str) -> Feature | None:
        return next((f for f in self if kind in f.emails), None)

    def events(self) -> dict[str, str]:
        return {k: v for f in self for k, v in f.events.items()}

    def activity_kinds(self) -> dict[str, ActivityKind]:
        return {k: v for f in self for k, v in f.activity.items()}

    def notice_kinds(self) -> dict[str, str]:
        return {k: v for f in self for k, v in f.notices.items()}

    def enabled_notice_kinds(self, enabled: dict[str, bool]) -> list[str]:
        """The portal notification kinds of the core and the enabled features."""
        return [k for f in self if f.always_on or enabled.get(f.key) for k in f.notices]

    def number_kinds(self) -> dict[str, NumberKind]:
        return {k: v for f in self for k, v in f.numbers.items()}

    def blocks(self, enabled: dict[str, bool]) -> list[tuple[Feature, Block]]:
        return [(f, b) for f in self if f.always_on or enabled.get(f.key) for b in f.dashboard]

    def isolation_args(self) -> dict[str, IsolationArg]:
        return {k: v for f in self for k, v in f.isolation_args().items()}

    # --- consistency --------------------------------------------------------------------------------

    def validate(self) -> None:
        for feature in self:
            missing = feature.requires - self.features.keys()
            if missing:
                raise ValueError(f"feature {feature.key!r} requires unknown feature(s) {sorted(missing)}")
            undeclared = {p for perms in feature.grants.values() for p in perms} - feature.permissions.keys()
            if undeclared:
                raise ValueError(f"feature {feature.key!r} grants permission(s) it does not declare: "
                                 f"{sorted(undeclared)}")
        for what, names in (("permission", lambda f: f.permissions), ("email kind", lambda f: f.emails),
                            ("staff event", lambda f: f.events), ("activity kind", lambda f: f.activity),
                            ("portal notice", lambda f: f.notices), ("document number kind", lambda f: f.numbers),
                            ("isolation argument", lambda f: f.isolation)):
            _refuse_doubles(self, what, names)
        _refuse_doubles(self, "document number prefix", lambda f: [n.prefix for n in f.numbers.values()])

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
        for f in self:
            if f.always_on:
                result[f.key] = True
        changed = True
        while changed:
            changed = False
            for f in self:
                if result.get(f.key) and not all(result.get(r) for r in f.requires):
                    result[f.key] = False
                    changed = True
        return result


def _refuse_doubles(registry: FeatureRegistry, what: str, names) -> None:
    owner: dict[str, str] = {}
    for feature in registry:
        for name in names(feature):
            if name in owner:
                raise ValueError(f"{what} {name!r} is declared by both {owner[name]!r} and {feature.key!r}")
            owner[name] = feature.key


def plugin_features() -> list[Feature]:
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        obj = ep.load()
        found.append(obj() if callable(obj) and not isinstance(obj, Feature) else obj)
    return found


def build_registry(app: Flask, features: Iterable[Feature]) -> FeatureRegistry:
    features = list(features)
    if app.config.get("FEATURE_ENTRY_POINTS", True):
        features += plugin_features()
    registry = FeatureRegistry(features)
    registry.validate()
    return registry


def init_features(app: Flask, features: Iterable[Feature]) -> FeatureRegistry:
    """Build the registry and register every feature's blueprint (toggles are checked per request)."""
    registry = build_registry(app, features)
    app.extensions["portal_features"] = registry
    for feature in registry:
        app.register_blueprint(feature.blueprint, url_prefix=feature.url_prefix or None)
    return registry


def registry() -> FeatureRegistry:
    return current_app.extensions["portal_features"]
