"""Control characters in what a request sends are refused once, before any view or form reads it.

A NUL byte is an error on PostgreSQL wherever it reaches a query (a 500), and no control character
belongs in a portal field: a request carrying one gets a clear 400 and nothing changes. Form fields may
hold tab, newline and carriage return (text areas); query strings and URL paths may not.
"""
from __future__ import annotations

import re

from flask import Flask, abort, request

#: C0 controls and DEL, anywhere in a query string, a URL path or an uploaded file's name
IN_ADDRESS = re.compile(r"[\x00-\x1f\x7f]")
#: the same, less tab, newline and carriage return, in submitted form fields
IN_FORM = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MESSAGE = ("This request contains a control character (such as a NUL byte) that no field accepts. "
           "Nothing was changed; remove it and try again.")


def has_control_characters() -> bool:
    if IN_ADDRESS.search(request.path):
        return True
    if any(IN_ADDRESS.search(k) or IN_ADDRESS.search(v) for k, v in request.args.items(multi=True)):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if any(IN_ADDRESS.search(k) or IN_FORM.search(v) for k, v in request.form.items(multi=True)):
        return True
    return any(IN_ADDRESS.search(k) or IN_ADDRESS.search(f.filename or "") for k, f in request.files.items(multi=True))


def refuse_control_characters():
    if has_control_characters():
        abort(400, description=MESSAGE)


def init_app(app: Flask) -> None:
    """Runs before the feature gate and every view (CSRF is checked first, by Flask-WTF)."""
    app.before_request(refuse_control_characters)
