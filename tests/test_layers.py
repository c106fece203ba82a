"""Services take no request objects: who acts comes in as an Actor, never from the request."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import portal.services

REQUEST_BOUND = {("flask", "request"), ("flask", "session"), ("flask_login", "current_user"),
                 ("flask_login", "login_user"), ("flask_login", "logout_user")}
SERVICES = sorted(Path(portal.services.__file__).parent.glob("*.py"))


def request_imports(path: Path) -> set[tuple[str, str]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            found |= {(node.module, alias.name) for alias in node.names} & REQUEST_BOUND
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            found |= {(node.value.id, node.attr)} & REQUEST_BOUND
    return found


@pytest.mark.parametrize("path", SERVICES, ids=[p.name for p in SERVICES])
def test_services_do_not_read_the_request(path):
    assert request_imports(path) == set()


def test_the_check_finds_what_it_looks_for(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import flask\nfrom flask_login import current_user\nip = flask.request.remote_addr\n")
    assert request_imports(bad) == {("flask_login", "current_user"), ("flask", "request")}
