"""Liveness and readiness probes for load balancers and benchmarks."""
from flask import jsonify
from sqlalchemy import text

from portal.blueprints.core import bp
from portal.extensions import db
from portal.permissions import public


@bp.route("/healthz")
@public
def healthz():
    """Process is up (no database access: the cheapest page, the benchmark baseline)."""
    return jsonify(status="ok")


@bp.route("/readyz")
@public
def readyz():
    """Process can reach its database."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means not ready
        db.session.rollback()
        return jsonify(status="database unavailable"), 503
    return jsonify(status="ok")
