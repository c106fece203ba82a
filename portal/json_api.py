"""JSON endpoints (the tracking API, the Stripe webhook, the health probes) answer every error in JSON.

A program calling an API reads a status and a JSON body, never a branded HTML page: a view marked with
``@json_api`` gets ``{"error": "...", "status": 429}`` for any HTTP error — a refusal of its own, the
feature gate's 404, a rate limit's 429 (with Retry-After), a wrong method's 405, a 500 or a database
outage's 503. portal.web's error handlers ask ``is_json_request()`` before rendering a page.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import current_app, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

MARK = "_portal_json_api"
#: anything under this path is an API, marked or not (a view added later answers in JSON too)
API_PREFIX = "/api/"


def json_api(view: Callable) -> Callable:
    """Mark a view as a JSON endpoint: its errors answer in JSON (see the module docstring)."""
    setattr(view, MARK, True)
    return view


def is_json_request() -> bool:
    """This request is for a JSON endpoint (a marked view, or a path under /api/)."""
    if request.path.startswith(API_PREFIX):
        return True
    view = current_app.view_functions.get(_endpoint() or "")
    return bool(getattr(view, MARK, False))


def _endpoint() -> str | None:
    """The request's endpoint; for a wrong method (405, no endpoint set) the one the path belongs to."""
    if request.endpoint or not isinstance(request.routing_exception, MethodNotAllowed):
        return request.endpoint
    methods = request.routing_exception.valid_methods or ()
    try:
        adapter = current_app.url_map.bind_to_environ(request.environ)
        return adapter.match(method=next(iter(methods)), return_rule=True)[0].endpoint if methods else None
    except HTTPException:
        return None


def error_response(status: int, message: str, headers: dict | None = None):
    """The JSON answer for an error: ``{"error": message, "status": status}``."""
    response = jsonify(error=message, status=status)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_error(error: HTTPException, retry_after: int | None = None):
    """An HTTP error (abort(), the gate, the limiter) as JSON, keeping the headers it carries (Allow,
    WWW-Authenticate) and adding Retry-After when there is one."""
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    if retry_after is not None:
        headers.setdefault("Retry-After", str(retry_after))
    if error.code == 429:
        message = f"Too many requests ({error.description}). Wait {headers.get('Retry-After', 'a minute')} s and try again."
    else:
        message = error.description or error.name
    return error_response(error.code or 500, message, headers)


def seconds_until_reset(limiter) -> int:
    """Seconds until the limit just exceeded lets requests through again (at least 1)."""
    limit = getattr(limiter, "current_limit", None)
    reset_at = getattr(limit, "reset_at", None)
    if not reset_at:
        return 60
    return max(1, math.ceil(reset_at - time.time()))
