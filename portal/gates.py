"""The per-request feature gate: a switched-off feature's pages and back-office screens answer 404.

Toggles are settings, so a change is seen on the next request in every worker without a restart.
"""
from __future__ import annotations

from flask import Flask, abort, request

from portal import settings
from portal.features import registry


def feature_gate():
    reg = registry()
    for name in request.blueprints:
        key = reg.key_for_blueprint(name)
        if key is not None and not reg.get(key).always_on and not settings.is_enabled(key):
            abort(404)


def init_app(app: Flask) -> None:
    app.before_request(feature_gate)
