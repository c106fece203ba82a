"""THE tenant isolation matrix over the built-in app (the machinery: tests/isolation_matrix.py).

The cases are built at collection time from the URL map of a module-level app, so a route added by
a later feature is covered without touching this file; what each URL argument is comes from the
features' isolation declarations.
"""
from __future__ import annotations

import pytest

from portal import create_app
from portal.permissions import policy_of
from tests.conftest import baseline
from tests.isolation_matrix import ACTING, PRINCIPALS, Matrix, World, build_world

_APP = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
MATRIX = Matrix(_APP)
GET_CASES = MATRIX.cases("GET", PRINCIPALS)
POST_CASES = MATRIX.cases("POST", ACTING)


@pytest.fixture(scope="module")
def world(app) -> World:
    with app.app_context():
        baseline()
    yield build_world(app, MATRIX.objects)
    with app.app_context():
        baseline()


@pytest.mark.parametrize("endpoint", MATRIX.endpoints)
def test_every_portal_endpoint_declares_an_access_policy(app, endpoint):
    assert endpoint in app.view_functions
    assert policy_of(app, endpoint) is not None, (
        f"The view of {endpoint} has no access policy. Put @public, @signed_in or "
        f"@require_permission(...) from portal.permissions directly under its @bp.route.")


def test_the_matrix_covers_routes_of_several_features():
    blueprints = {endpoint.split(".")[0] for endpoint in MATRIX.endpoints}
    assert {"core", "orders"} <= blueprints
    assert len(GET_CASES) > 100


@pytest.mark.parametrize("rule, endpoint, principal, side", GET_CASES)
def test_get(world, rule, endpoint, principal, side):
    MATRIX.check_get(world, rule, endpoint, principal, side)


@pytest.mark.parametrize("rule, endpoint, principal, side", POST_CASES)
def test_post_with_another_companys_object(world, rule, endpoint, principal, side):
    MATRIX.check_post(world, rule, endpoint, principal, side)
