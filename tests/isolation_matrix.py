"""The tenant isolation matrix: every portal route × every kind of principal × objects of two companies.

Used by tests/test_isolation.py for the built-in app and by the plugin tests for a plugin's routes.
What a URL argument is comes from the registry: each feature (and the core) declares isolation
factories for the objects in its URLs (Feature.isolation), so a new feature's routes are covered
without editing this file — a route with an argument nobody declares fails with a message saying
which route and what to declare.

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
from dataclasses import dataclass

import pytest
from flask import url_for
from sqlalchemy import select
from webtest import TestApp

from portal import settings
from portal.contract import IsolationArg
from portal.extensions import db, limiter
from portal.features import registry
from portal.models import Address, Membership, User
from portal.permissions import REP_EXCLUDED, all_permissions, policy_of
from portal.services.roles import seed_roles
from tests.factories import Factories
from tests.fixtures_apps import sign_in

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


class Matrix:
    """The routes and URL arguments of one app, and the cases built from them."""

    def __init__(self, app, only_blueprints: set[str] | None = None):
        self.app = app
        self.objects: dict[str, IsolationArg] = app.extensions["portal_features"].isolation_args()
        self.rules = [rule for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
                      if _is_portal_rule(rule)
                      and (only_blueprints is None or rule.endpoint.split(".")[0] in only_blueprints)]
        self.endpoints = sorted({rule.endpoint for rule in self.rules})

    def tenant_args(self, rule) -> list[str]:
        return [a for a in sorted(rule.arguments) if a not in self.objects or self.objects[a].owner != "opaque"]

    def cases(self, method: str, principals) -> list:
        cases = []
        for rule in self.rules:
            if method not in rule.methods:
                continue
            sides = ("A", "B") if self.tenant_args(rule) else (None,)
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

    def url(self, rule_text: str, endpoint: str, world: World, side: str | None) -> str:
        rule = next(r for r in self.rules if r.rule == rule_text and r.endpoint == endpoint)
        values = {}
        for name in rule.arguments:
            arg = self.objects.get(name)
            if arg is None:
                pytest.fail(f"{endpoint} ({rule.rule}) takes <{name}>, which the isolation matrix does not know. "
                            f"Declare it in the feature's `isolation` (Feature.isolation={{{name!r}: make}}, "
                            f"make(company) returning the id of a new object of that company), so the route is "
                            f"checked against companies A and B.")
            values[name] = (f"unknown-{secrets.token_urlsafe(16)}" if arg.owner == "opaque"
                            else world.objects[(name, side)])
        with self.app.test_request_context():
            return url_for(endpoint, **values)

    # --- the checks ----------------------------------------------------------------------------------

    def check_get(self, world: World, rule: str, endpoint: str, principal: str, side: str | None) -> None:
        policy = policy_of(self.app, endpoint)
        assert policy is not None, f"{endpoint} has no access policy"
        url = self.url(rule, endpoint, world, side)
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

    def check_post(self, world: World, rule: str, endpoint: str, principal: str, side: str) -> None:
        policy = policy_of(self.app, endpoint)
        assert policy is not None, f"{endpoint} has no access policy"
        assert policy[0] != "public", f"{endpoint} is public but changes a company's object"
        url = self.url(rule, endpoint, world, side)
        assert not _owns(principal, side)
        res = world.clients[principal].post(url, {"csrf_token": world.csrf[principal]}, expect_errors=True)
        _assert_no_leak(world, principal, f"POST {url}", res)
        expected = _expected(policy, principal, side, world, tenant=True)
        assert res.status_int in expected, (
            f"{principal} POST {url} with an object of company {side}: got {res.status_int}, "
            f"expected {sorted(expected)}")


def _is_portal_rule(rule) -> bool:
    if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
        return False
    return not (rule.rule.startswith(("/admin", "/static")) or rule.endpoint.startswith("admin"))


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


def _markers(companies) -> dict[str, set[str]]:
    """What identifies each company's data on a page: its name and code, its documents' numbers,
    its addresses' first lines, its members' emails."""
    numbered = [m.class_ for m in db.Model.registry.mappers
                if "company_id" in m.columns and "number" in m.columns and m.local_table.name in db.metadata.tables]
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


def build_world(app, objects: dict[str, IsolationArg]) -> World:
    """Companies, objects and one signed-in browser per principal. The database must be empty
    but for the reference data; the caller wipes it afterwards."""
    with app.app_context():
        seed_roles()
        db.session.commit()
        limiter.reset()
        for feature in registry().togglable():
            # Public features (the guest catalog) stay off: "anonymous" is a visitor who must sign in.
            # Their own tests check what visitors may see while they are on.
            settings.set_feature(feature.key, not feature.public)
        make = Factories(db)
        companies = {"A": make.company(name="Company A"), "B": make.company(name="Company B"),
                     "SA": make.supplier(name="Supplier A"), "SB": make.supplier(name="Supplier B")}
        made = {}
        for name, arg in objects.items():
            if arg.make is None:
                continue
            for side in ("A", "B"):
                company = companies[side if arg.owner == "customer" else "S" + side]
                made[(name, side)] = arg.make(company)
        db.session.commit()
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
        markers, company_a = _markers(companies), companies["A"].id
        db.session.remove()
    # No app context is held from here on: every request gets its own, as in production.
    clients, csrf = {"anonymous": TestApp(app)}, {}
    for principal, email in emails.items():
        client = sign_in(app, email)
        if principal == "repA":
            client.get("/customers").forms[f"act-{company_a}"].submit()
        if principal != "staff":
            csrf[principal] = client.get("/account").forms["profile"]["csrf_token"].value
        clients[principal] = client
    return World(clients=clients, csrf=csrf, objects=made, permissions=permissions, markers=markers)


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
    body = res.body.decode(res.charset or "utf-8", "replace")  # pictures and other files have no charset
    leaked = sorted(m for m in world.foreign_markers(principal) if m in body)
    assert not leaked, f"{principal} {request} shows data of a company it does not act for: {leaked}"
