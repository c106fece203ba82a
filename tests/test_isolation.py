"""THE tenant isolation matrix: every portal route × every kind of principal × objects of two companies.

The cases are built at collection time from the URL map of a module-level app, so a route added by
a later feature is covered without touching this file — unless it takes an argument the matrix does
not know, which fails with a message saying what to add to OBJECTS below.

Companies: A and B are customers; SA and SB are suppliers. "objA" is an object of company A (or, for
supplier documents, of supplier SA, whose contact is the "supplier" principal); "objB" one of B / SB.

Rules checked:
- every portal endpoint declares an access policy (@public, @signed_in or @require_permission);
- anonymous: redirected to /login (public pages: anything but a server error);
- staff: 403 on every customer-facing page;
- a principal never gets 200 for an object of a company it does not act for: 404;
- own objects: 200 when the role has the permission, 403 when not; pages of the other audience
  (supplier pages for customers, customer pages for suppliers): 404;
- POST routes: another company's object is 404 (403 when the role lacks the permission anyway).
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from webtest import TestApp

from portal import create_app
from portal.permissions import REP_EXCLUDED, policy_of
from tests.conftest import PASSWORD

# --- what the matrix knows about URL arguments ----------------------------------------------------


@dataclass(frozen=True)
class Arg:
    #: "customer" or "supplier": whose object it is; "opaque": not owned by a company (link tokens)
    owner: str
    #: make(factories, company) -> the value for the URL (an id)
    make: Callable | None = None


OBJECTS: dict[str, Arg] = {
    "order_id": Arg("customer", lambda make, c: make.order(c).id),
    "invoice_id": Arg("customer", lambda make, c: make.invoice(c).id),
    "credit_note_id": Arg("customer", lambda make, c: make.credit_note(c).id),
    "payment_id": Arg("customer", lambda make, c: make.payment(c).id),
    "shipment_id": Arg("customer", lambda make, c: make.shipment(c, make.order(c)).id),
    "quote_id": Arg("customer", lambda make, c: make.quote(c).id),
    "address_id": Arg("customer", lambda make, c: make.address(c, line1=f"{c.name} Lane 1").id),
    "user_id": Arg("customer", lambda make, c: make.contact(
        c, role="Buyer", email=f"member.{c.name.lower().replace(' ', '')}@example.com").id),
    "purchase_order_id": Arg("supplier", lambda make, c: make.purchase_order(c).id),
    "bill_id": Arg("supplier", lambda make, c: make.supplier_bill(c).id),
    # Links from emails: a token that matches nothing (the pages must explain, not fail).
    "token": Arg("opaque"),
}

PRINCIPALS = ("anonymous", "adminA", "buyerA", "viewerA", "financeA", "contactB", "repA", "supplier", "staff")
#: principal -> (kind, company key, role)
ACCOUNTS = {
    "adminA": ("contact", "A", "Admin"),
    "buyerA": ("contact", "A", "Buyer"),
    "viewerA": ("contact", "A", "Viewer"),
    "financeA": ("contact", "A", "Finance"),
    "contactB": ("contact", "B", "Admin"),
    "repA": ("rep", "A", None),
    "supplier": ("contact", "SA", "Admin"),
    "staff": ("staff", None, None),
}
#: principals that act for a company, for the POST checks
ACTING = tuple(p for p in PRINCIPALS if p not in ("anonymous", "staff"))

# --- collection: the routes of a module-level app ----------------------------------------------------

_APP = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def _portal_rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        if rule.rule.startswith(("/admin", "/static")) or rule.endpoint.startswith("admin"):
            continue
        yield rule


RULES = list(_portal_rules(_APP))
ENDPOINTS = sorted({rule.endpoint for rule in RULES})


def _tenant_args(rule) -> list[str]:
    return [a for a in sorted(rule.arguments) if a not in OBJECTS or OBJECTS[a].owner != "opaque"]


def _cases(method: str, principals) -> list:
    cases = []
    for rule in RULES:
        if method not in rule.methods:
            continue
        sides = ("A", "B") if _tenant_args(rule) else (None,)
        if method == "POST" and sides == (None,):
            continue  # POSTs without an object are covered by their feature's own tests
        for principal in principals:
            if method == "POST":
                # Only objects of a company the principal does not act for: own ones are changed
                # by the feature tests, not here.
                sides = ("A",) if ACCOUNTS[principal][1] == "B" else ("B",)
            for side in sides:
                ident = f"{rule.endpoint}-{principal}" + (f"-obj{side}" if side else "")
                if method == "POST":
                    ident = "POST-" + ident
                cases.append(pytest.param(rule.rule, rule.endpoint, principal, side, id=ident))
    return cases


# --- the world: two customers, two suppliers, one login per principal ---------------------------------

@dataclass
class World:
    clients: dict[str, TestApp]
    csrf: dict[str, str]
    #: (argument, side) -> id
    objects: dict[tuple[str, str], int]
    #: principal -> permission keys it has (None: every key)
    permissions: dict[str, set[str] | None]
    #: company key -> strings only that company's pages may show (document numbers, names, emails...)
    markers: dict[str, set[str]]

    def foreign_markers(self, principal: str) -> set[str]:
        own = ACCOUNTS.get(principal, (None, None, None))[1]
        return set().union(*(m for key, m in self.markers.items() if key != own))


def _sign_in(app, email: str) -> TestApp:
    client = TestApp(app)
    form = client.get("/login").forms["login"]
    form["email"], form["password"] = email, PASSWORD
    res = form.submit()
    assert res.status_int == 302, f"{email} could not sign in: {res.text[:500]}"
    return client


def _markers(db, companies) -> dict[str, set[str]]:
    """What identifies each company's data on a page: its name and code, its documents' numbers,
    its addresses' first lines, its members' emails."""
    from sqlalchemy import select

    from portal.models import Address, Membership, User

    numbered = [m.class_ for m in db.Model.registry.mappers
                if "company_id" in m.columns and "number" in m.columns]
    markers = {}
    for key, company in companies.items():
        found = {company.name, company.code}
        for model in numbered:
            found |= set(db.session.execute(select(model.number).where(model.company_id == company.id)).scalars())
        found |= set(db.session.execute(select(Address.line1).where(Address.company_id == company.id)).scalars())
        found |= set(db.session.execute(select(User.email).join(Membership, Membership.user_id == User.id)
                                        .where(Membership.company_id == company.id)).scalars())
        markers[key] = found
    return markers


def _build_world(app):
    from portal import settings
    from portal.extensions import db, limiter
    from portal.features import registry
    from portal.permissions import all_permissions, seed_roles
    from tests.conftest import _wipe
    from tests.factories import Factories

    _wipe(app)
    seed_roles()
    db.session.commit()
    limiter.reset()
    for feature in registry():
        settings.set_feature(feature.key, True)
    make = Factories(db)
    companies = {"A": make.company(name="Company A"), "B": make.company(name="Company B"),
                 "SA": make.supplier(name="Supplier A"), "SB": make.supplier(name="Supplier B")}
    objects = {}
    for name, arg in OBJECTS.items():
        if arg.make is None:
            continue
        for side in ("A", "B"):
            company = companies[side if arg.owner == "customer" else "S" + side]
            objects[(name, side)] = arg.make(make, company)
    emails, permissions = {}, {}
    for principal, (kind, company_key, role) in ACCOUNTS.items():
        # Explicit emails: none is a substring of another (they are leak markers).
        email = f"{principal.lower()}.isolation@example.com"
        if kind == "contact":
            make.contact(companies[company_key], role=role, email=email)
            role_row = make.role(role)
            permissions[principal] = None if role_row.all_permissions else set(role_row.permissions or [])
        elif kind == "rep":
            make.rep(allocated=[companies["A"]], email=email)
            permissions[principal] = set(all_permissions()) - REP_EXCLUDED
        else:
            make.staff(email=email)
            permissions[principal] = set()
        emails[principal] = email
    return emails, objects, permissions, _markers(db, companies), companies["A"].id


@pytest.fixture(scope="module")
def world(app) -> World:
    from portal.extensions import db
    from tests.conftest import _wipe

    with app.app_context():
        emails, objects, permissions, markers, company_a = _build_world(app)
        db.session.remove()
    # No app context is held from here on: every request gets its own, as in production.
    clients, csrf = {"anonymous": TestApp(app)}, {}
    for principal, email in emails.items():
        client = _sign_in(app, email)
        if principal == "repA":
            client.get("/customers").forms[f"act-{company_a}"].submit()
        if principal != "staff":
            csrf[principal] = client.get("/account").forms["profile"]["csrf_token"].value
        clients[principal] = client
    yield World(clients=clients, csrf=csrf, objects=objects, permissions=permissions, markers=markers)
    with app.app_context():
        _wipe(app)


# --- expectations ------------------------------------------------------------------------------------

def _acting_audience(principal: str) -> str | None:
    company_key = ACCOUNTS[principal][1]
    if company_key is None:
        return None
    return "supplier" if company_key.startswith("S") else "customer"


def _owns(principal: str, side: str) -> bool:
    """Does the principal act for the company that owns this side's objects?"""
    company_key = ACCOUNTS.get(principal, (None, None, None))[1]
    return company_key in (side, "S" + side)


def _has(world: World, principal: str, permission: str) -> bool:
    granted = world.permissions[principal]
    return granted is None or permission in granted


def _url(rule_text: str, endpoint: str, world: World, side: str | None) -> str:
    rule = next(r for r in RULES if r.rule == rule_text and r.endpoint == endpoint)
    values = {}
    for name in rule.arguments:
        arg = OBJECTS.get(name)
        if arg is None:
            pytest.fail(f"{endpoint} ({rule.rule}) takes <{name}>, which the isolation matrix does not know. "
                        f"Add an entry for {name!r} to OBJECTS in tests/test_isolation.py: whose object it is "
                        f"and a factory making one for a company, so the route is checked against companies A "
                        f"and B.")
        values[name] = f"unknown-{secrets.token_urlsafe(16)}" if arg.owner == "opaque" else world.objects[
            (name, side)]
    with _APP.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


def _expected(policy: tuple, principal: str, side: str | None, world: World, tenant: bool):
    """A set of acceptable status codes."""
    kind = policy[0]
    if principal == "anonymous":
        return {302}
    if principal == "staff":
        return {403}
    if kind == "signed_in":
        if tenant:
            return {200, 302} if _owns(principal, side) else {404}
        return {200, 302, 404}
    _, permission, audience = policy
    if audience in ("customer", "supplier") and audience != _acting_audience(principal):
        return {404}
    if not _has(world, principal, permission):
        return {403}
    if tenant and not _owns(principal, side):
        return {404}
    return {200}


def _assert_no_leak(world: World, principal: str, request: str, res) -> None:
    leaked = sorted(m for m in world.foreign_markers(principal) if m in res.text)
    assert not leaked, f"{principal} {request} shows data of a company it does not act for: {leaked}"


# --- the tests ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_portal_endpoint_declares_an_access_policy(app, endpoint):
    assert endpoint in app.view_functions
    assert policy_of(app, endpoint) is not None, (
        f"The view of {endpoint} has no access policy. Put @public, @signed_in or "
        f"@require_permission(...) from portal.permissions directly under its @bp.route.")


def test_the_matrix_covers_routes_of_several_features():
    blueprints = {endpoint.split(".")[0] for endpoint in ENDPOINTS}
    assert {"core", "orders"} <= blueprints
    assert len(GET_CASES) > 100


GET_CASES = _cases("GET", PRINCIPALS)
POST_CASES = _cases("POST", ACTING)


@pytest.mark.parametrize("rule, endpoint, principal, side", GET_CASES)
def test_get(world, app, rule, endpoint, principal, side):
    policy = policy_of(app, endpoint)
    assert policy is not None, f"{endpoint} has no access policy"
    url = _url(rule, endpoint, world, side)
    res = world.clients[principal].get(url, expect_errors=True)
    assert res.status_int < 500, f"{principal} GET {url}: server error"
    _assert_no_leak(world, principal, f"GET {url}", res)
    if policy[0] == "public":
        assert side is None, (f"{endpoint} is public but takes a company's object: anyone could read it by "
                              f"guessing ids.")
        return
    expected = _expected(policy, principal, side, world, tenant=side is not None)
    assert res.status_int in expected, (
        f"{principal} GET {url} ({'object of company ' + side if side else 'no object'}): "
        f"got {res.status_int}, expected {sorted(expected)}")
    if principal == "anonymous":
        assert "/login" in res.location
    if side and not _owns(principal, side):
        assert res.status_int != 200


@pytest.mark.parametrize("rule, endpoint, principal, side", POST_CASES)
def test_post_with_another_companys_object(world, app, rule, endpoint, principal, side):
    policy = policy_of(app, endpoint)
    assert policy is not None, f"{endpoint} has no access policy"
    assert policy[0] != "public", f"{endpoint} is public but changes a company's object"
    url = _url(rule, endpoint, world, side)
    assert not _owns(principal, side)
    res = world.clients[principal].post(url, {"csrf_token": world.csrf[principal]}, expect_errors=True)
    _assert_no_leak(world, principal, f"POST {url}", res)
    expected = _expected(policy, principal, side, world, tenant=True)
    assert res.status_int in expected, (
        f"{principal} POST {url} with an object of company {side}: got {res.status_int}, "
        f"expected {sorted(expected)}")
