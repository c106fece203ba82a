"""Liveness and readiness probes for load balancers and benchmarks."""
from flask import current_app, jsonify, request

from portal.blueprints.core import bp
from portal.json_api import json_api
from portal.permissions import public
from portal.services.portal_address import MAX_CHALLENGE, instance_proof

#: /readyz answers within this many seconds, even while the database hangs
READY_WITHIN = 2.0


@bp.route("/healthz")
@json_api
@public
def healthz():
    """Process is up (no database access: the cheapest page, the benchmark baseline).

    With ``?challenge=``, also this instance's proof for it: the back office's Test button of the
    portal address compares it to tell this portal from any other site.
    """
    challenge = request.args.get("challenge", "")
    if challenge and len(challenge) <= MAX_CHALLENGE:
        return jsonify(status="ok", instance=instance_proof(challenge))
    return jsonify(status="ok")


@bp.route("/readyz")
@json_api
@public
def readyz():
    """Process can read its database, answered within READY_WITHIN seconds (503 otherwise)."""
    if not current_app.extensions["portal_readiness"].ready(within=READY_WITHIN):
        return jsonify(status="database unavailable"), 503, {"Retry-After": "30"}
    return jsonify(status="ok")
