"""Every registered feature, whatever it is: off is 404 and out of the nav, on answers; toggles are live.

Nothing here names a feature: the parameters come from the live registry
(app.extensions["portal_features"]), so a feature added tomorrow is covered by these tests.
"""
from __future__ import annotations

import inspect
import threading

import pytest
from bs4 import BeautifulSoup
from flask import url_for
from werkzeug.routing import IntegerConverter

from portal import settings
from portal.features import FeatureRegistry


def _registry_at_collection() -> FeatureRegistry:
    from portal import create_app

    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return app.extensions["portal_features"]


REGISTRY = _registry_at_collection()
FEATURE_KEYS = sorted(f.key for f in REGISTRY.togglable())
NAV_FEATURE_KEYS = sorted(f.key for f in REGISTRY.togglable() if f.nav and f.audience != "guest")
#: factories that make a document of a company from the company alone, tried when present
DOCUMENT_FACTORIES = ("order", "invoice", "quote", "shipment", "purchase_order", "supplier_bill",
                      "ticket", "return_request", "purchase_list", "credit_note", "payment")


def test_parameters_match_the_live_registry(app):
    assert FEATURE_KEYS == sorted(f.key for f in app.extensions["portal_features"].togglable())
    assert FEATURE_KEYS, "no feature registered at all"


# --- helpers -------------------------------------------------------------------------------------

def registry_of(app) -> FeatureRegistry:
    return app.extensions["portal_features"]


def all_features_on(app) -> None:
    settings.save({f.setting_key: True for f in registry_of(app).togglable()})


def enabled(app) -> dict[str, bool]:
    """The live flags of the switchable features (the core is always on)."""
    return {k: on for k, on in settings.enabled_features().items() if not registry_of(app).get(k).always_on}


def get_routes(app, feature):
    """GET rules of the feature's blueprint (nested blueprints included), static files excluded."""
    prefix = feature.blueprint.name + "."
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith(prefix) and "GET" in rule.methods and not rule.endpoint.endswith("static")]


def _needed_args(rule) -> list[str]:
    return sorted(rule.arguments - set(rule.defaults or {}))


def _documents_of(make, company) -> dict[str, object]:
    """One document of every kind a single-argument factory can make, by table name."""
    found = {}
    for name in DOCUMENT_FACTORIES:
        factory = getattr(make, name, None)
        if factory is None:
            continue
        params = [p for p in inspect.signature(factory).parameters.values()
                  if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if not params or any(p.default is p.empty for p in params[1:]):
            continue
        obj = factory(company)
        found[obj.__table__.name] = obj
    return found


def _candidates(arg: str, documents: dict[str, object]) -> list[object]:
    """Documents an int URL argument may name: order_id -> sales_order, purchase_order, ..."""
    base = arg.removesuffix("_id")
    words = set(base.split("_"))
    return [obj for table, obj in sorted(documents.items()) if words <= set(table.split("_"))]


def urls_of(app, feature, documents) -> tuple[list[str], list[list[str]]]:
    """(URLs that must answer 200 when on, groups of candidate URLs where one must answer 200).

    Routes whose arguments we cannot fill with a document of the user's company are left out.
    """
    plain, groups = [], []
    with app.test_request_context():
        for rule in get_routes(app, feature):
            args = _needed_args(rule)
            if not args:
                plain.append(url_for(rule.endpoint))
                continue
            if len(args) != 1 or not isinstance(rule._converters.get(args[0]), IntegerConverter):
                continue
            candidates = _candidates(args[0], documents)
            if candidates:
                groups.append(sorted({url_for(rule.endpoint, **{args[0]: obj.id}) for obj in candidates}))
    return plain, groups


def nav_hrefs(res) -> set[str]:
    nav = BeautifulSoup(res.text, "html.parser").select_one('nav[aria-label="Main"]')
    assert nav is not None, "the signed-in page has no main navigation"
    return {a["href"] for a in nav.select("a[href]")}


def feature_nav_urls(app, feature) -> set[str]:
    with app.test_request_context():
        return {url_for(entry.endpoint) for entry in feature.nav}


@pytest.fixture
def all_rights_client(testapp, make, login):
    """A contact with the Admin role (every permission) of a company that is customer and supplier."""
    company = make.company(name="Both Ways BV", is_supplier=True)
    user = make.contact(company, role="Admin")
    login(testapp, user)
    return testapp, company


# --- per feature ---------------------------------------------------------------------------------

@pytest.mark.parametrize("key", FEATURE_KEYS)
def test_feature_pages_answer_when_on_and_404_when_off(app, make, all_rights_client, key):
    client, company = all_rights_client
    feature = registry_of(app).get(key)
    documents = _documents_of(make, company)
    plain, groups = urls_of(app, feature, documents)
    with app.test_request_context():
        nav_urls = [url_for(entry.endpoint) for entry in feature.nav]
    assert set(nav_urls) <= set(plain), f"nav entries of {key} must be pages without URL arguments"
    assert plain or groups, f"feature {key} has no page we can visit"

    all_features_on(app)
    for url in plain:
        res = client.get(url, expect_errors=True)
        if url in nav_urls or not res.status.startswith("3"):
            assert res.status_int == 200, f"{key} on: GET {url} answered {res.status}"
        else:  # e.g. a checkout page with an empty cart sends the user elsewhere, but not away
            assert "/login" not in res.location, f"{key} on: GET {url} sent a signed-in user to {res.location}"
            assert res.follow(expect_errors=True).status_int == 200, f"{key} on: GET {url} -> {res.location}"
    for urls in groups:
        statuses = {url: client.get(url, expect_errors=True).status_int for url in urls}
        assert set(statuses.values()) <= {200, 404}, statuses
        assert 200 in statuses.values(), f"{key} on: none of {statuses} shows a document of the user's company"

    settings.set_feature(key, False)
    assert not enabled(app)[key]
    for url in plain + [url for urls in groups for url in urls]:
        res = client.get(url, expect_errors=True)
        assert res.status_int == 404, f"{key} off: GET {url} answered {res.status}"


@pytest.mark.parametrize("key", NAV_FEATURE_KEYS)
def test_nav_entry_shows_only_while_the_feature_is_on(app, all_rights_client, key):
    client, _ = all_rights_client
    feature = registry_of(app).get(key)
    urls = feature_nav_urls(app, feature)

    all_features_on(app)
    shown = nav_hrefs(client.get("/dashboard"))
    assert urls <= shown, f"{key} on: nav {sorted(shown)} lacks {sorted(urls - shown)}"

    settings.set_feature(key, False)
    shown = nav_hrefs(client.get("/dashboard"))
    assert not urls & shown, f"{key} off: nav still links {sorted(urls & shown)}"


ADMIN_FEATURE_KEYS = sorted(f.key for f in REGISTRY.togglable() if f.admin_views)
#: the back office's own screens, there whatever is switched off
CORE_SCREENS = ("/admin/company/", "/admin/user/", "/admin/product/", "/admin/settings/", "/admin/audit-log/")


def _admin_screens(app, key: str) -> list:
    return [v for v in app.extensions["portal_admin"]._views if getattr(v, "feature_key", None) == key]


def _menu_text(res) -> str:
    return " ".join(a.get_text(" ", strip=True) for a in res.html.select("nav a"))


@pytest.mark.parametrize("key", ADMIN_FEATURE_KEYS)
def test_a_features_back_office_screens_leave_the_menu_and_answer_404_when_off(app, admin, key):
    screens = _admin_screens(app, key)
    assert screens, f"{key} declares admin_views but none is registered with its key"
    all_features_on(app)
    menu = _menu_text(admin.get("/admin/"))
    for view in screens:
        assert view.name in menu
        assert admin.get(view.url + "/").status_int == 200
    settings.set_feature(key, False)
    menu = _menu_text(admin.get("/admin/"))
    for view in screens:
        assert view.name not in menu, f"{view.name} still in the menu with {key} off"
        admin.get(view.url + "/", status=404)
    for url in CORE_SCREENS:
        assert admin.get(url).status_int == 200, f"core screen {url} with {key} off"
    settings.set_feature(key, True)
    for view in screens:
        assert admin.get(view.url + "/").status_int == 200


@pytest.mark.parametrize("key", FEATURE_KEYS)
def test_turning_a_feature_off_turns_off_what_depends_on_it(app, db, key):
    reg = registry_of(app)
    all_features_on(app)
    settings.set_feature(key, False)
    now = enabled(app)
    off = reg.closure_off(key)
    assert {k for k, on in now.items() if not on} == off
    # What is stored agrees with what is enforced: the dependants are saved as off too.
    assert all(settings.get(f"features.{k}") is False for k in off)


@pytest.mark.parametrize("key", FEATURE_KEYS)
def test_turning_a_feature_on_turns_on_what_it_requires(app, db, key):
    reg = registry_of(app)
    settings.save({f.setting_key: False for f in reg.togglable()})
    settings.set_feature(key, True)
    now = enabled(app)
    assert {k for k, on in now.items() if on} == reg.closure_on(key)


REQUIRED_KEYS = sorted(f.key for f in REGISTRY.togglable() if REGISTRY.closure_off(f.key) - {f.key}) or [
    pytest.param(None, marks=pytest.mark.skip(reason="no registered feature is required by another one yet"))]


@pytest.mark.parametrize("key", REQUIRED_KEYS)
def test_a_dependant_page_is_404_once_its_requirement_is_off(app, all_rights_client, key):
    client, _ = all_rights_client
    reg = registry_of(app)
    all_features_on(app)
    settings.set_feature(key, False)
    for dependant in sorted(reg.closure_off(key) - {key}):
        plain, _ = urls_of(app, reg.get(dependant), {})
        for url in plain:
            assert client.get(url, expect_errors=True).status_int == 404, f"{dependant} page {url} after {key} off"


def test_closures_follow_requires_transitively():
    """closure_on/closure_off on a small hand-built registry (the real one may have no chains yet)."""
    from flask import Blueprint

    from portal.contract import Feature

    def feature(key, requires=()):
        return Feature(key=key, label=key.title(), description="", blueprint=Blueprint(f"t_{key}", __name__),
                       url_prefix=f"/{key}", requires=frozenset(requires))

    reg = FeatureRegistry()
    for f in (feature("orders"), feature("returns", {"orders"}), feature("refunds", {"returns"}),
              feature("tickets")):
        reg.add(f)
    assert reg.closure_on("refunds") == {"refunds", "returns", "orders"}
    assert reg.closure_off("orders") == {"orders", "returns", "refunds"}
    assert reg.closure_off("tickets") == {"tickets"}
    assert reg.resolve({"orders": False, "returns": True, "refunds": True, "tickets": True}) == {
        "orders": False, "returns": False, "refunds": False, "tickets": True}


# --- live toggles --------------------------------------------------------------------------------

def _toggle_from_another_worker(app, key: str, on: bool) -> None:
    """Save a toggle the way another worker would: its own thread, app context and DB session."""
    errors = []

    def run():
        try:
            with app.app_context():
                settings.set_feature(key, on)
        except Exception as exc:  # noqa: BLE001 - re-raised in the test thread below
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive() and not errors, errors


@pytest.mark.parametrize("key", NAV_FEATURE_KEYS)
def test_toggle_is_live_between_two_requests_of_the_same_running_app(app, make, live_client, key):
    company = make.company(is_supplier=True)
    user = make.contact(company, role="Admin")
    from tests.conftest import PASSWORD

    client = live_client()
    client.sign_in(user.email, PASSWORD)
    url = min(feature_nav_urls(app, registry_of(app).get(key)))
    _toggle_from_another_worker(app, key, True)
    assert client.get(url).status == 200

    _toggle_from_another_worker(app, key, False)
    assert client.get(url).status == 404

    _toggle_from_another_worker(app, key, True)
    assert client.get(url).status == 200
