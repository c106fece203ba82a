"""Third-party features: found through a real `portal.features` entry point, or passed to create_app()."""
from __future__ import annotations

import importlib
import sys
import textwrap

import pytest
from flask import Blueprint
from webtest import TestApp

from portal import create_app, settings
from portal.extensions import db as _db
from portal.features import Feature, NavEntry
from portal.permissions import require_permission, seed_roles
from tests.conftest import PASSWORD
from tests.factories import Factories

PLUGIN_MODULE = '''
"""An example third-party Portal feature, installed as a distribution with an entry point."""
from flask import Blueprint

from portal.features import Feature, NavEntry
from portal.permissions import require_permission

bp = Blueprint("hello_plugin", __name__)


@bp.route("/hello-plugin")
@require_permission("hello.view")
def hello():
    return "<!doctype html><title>Hello</title><h1>Hello from a plugin</h1>"


feature = Feature(
    key="hello", label="Hello", description="A page added by an installed plugin",
    blueprint=bp, url_prefix="",
    nav=(NavEntry("hello_plugin.hello", "Say hello", permission="hello.view"),),
    permissions={"hello.view": "See the hello page"},
)
'''

METADATA = "Metadata-Version: 2.1\nName: portal-example-plugin\nVersion: 0.1\n"
ENTRY_POINTS = "[portal.features]\nhello = portal_example_plugin:feature\n"


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    """A plugin distribution on sys.path exactly as pip would leave it (module + dist-info)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "portal_example_plugin.py").write_text(textwrap.dedent(PLUGIN_MODULE))
    dist_info = site / "portal_example_plugin-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(METADATA)
    (dist_info / "entry_points.txt").write_text(ENTRY_POINTS)
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    yield site
    sys.modules.pop("portal_example_plugin", None)
    importlib.invalidate_caches()


def build_app(tmp_path, **kwargs):
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/plugin.db"},
                     **kwargs)
    with app.app_context():
        _db.create_all()
        seed_roles()
        _db.session.commit()
    return app


@pytest.fixture
def own_app(tmp_path):
    """build(**create_app kwargs) -> (app, TestApp, signed-in contact helper); disposed afterwards."""
    apps = []

    def build(**kwargs):
        app = build_app(tmp_path, **kwargs)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


def sign_in_admin_contact(app) -> TestApp:
    with app.app_context():
        make = Factories(_db)
        user = make.contact(make.company(), role="Admin")
        email = user.email
    client = TestApp(app)
    form = client.get("/login").forms["login"]
    form["email"], form["password"] = email, PASSWORD
    assert form.submit().status_int == 302
    return client


def toggle(app, key: str, on: bool) -> None:
    with app.app_context():
        settings.set_feature(key, on)


def nav_labels(res) -> list[str]:
    return [a.text.strip() for a in res.html.select('nav[aria-label="Main"] a')]


def test_an_installed_plugin_is_found_through_its_entry_point(installed_plugin, own_app):
    from importlib.metadata import entry_points

    assert "hello" in {ep.name for ep in entry_points(group="portal.features")}
    app = own_app()
    registry = app.extensions["portal_features"]
    assert "hello" in registry
    assert registry.get("hello").blueprint.name == "hello_plugin"
    with app.app_context():
        assert "features.hello" in settings.specs()  # its toggle is a declared setting like any other

    client = sign_in_admin_contact(app)
    res = client.get("/hello-plugin")
    assert "Hello from a plugin" in res.text
    assert "Say hello" in nav_labels(client.get("/dashboard"))

    toggle(app, "hello", False)
    client.get("/hello-plugin", status=404)
    assert "Say hello" not in nav_labels(client.get("/dashboard"))

    toggle(app, "hello", True)
    assert "Hello from a plugin" in client.get("/hello-plugin").text
    assert "Say hello" in nav_labels(client.get("/dashboard"))


def test_plugin_page_requires_its_permission(installed_plugin, own_app):
    app = own_app()
    with app.app_context():
        make = Factories(_db)
        viewer = make.contact(make.company(), role="Viewer")
        email = viewer.email
        role = make.role("Viewer")
        role.permissions = [p for p in role.permissions if p != "hello.view"]
        _db.session.commit()
    client = TestApp(app)
    form = client.get("/login").forms["login"]
    form["email"], form["password"] = email, PASSWORD
    form.submit()
    client.get("/hello-plugin", status=403)
    assert "Say hello" not in nav_labels(client.get("/dashboard"))


def test_entry_points_can_be_switched_off_by_config(installed_plugin, tmp_path):
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/off.db",
                      "FEATURE_ENTRY_POINTS": False})
    assert "hello" not in app.extensions["portal_features"]


def test_without_the_distribution_there_is_no_plugin(tmp_path):
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/none.db"})
    assert "hello" not in app.extensions["portal_features"]


def _extra_feature() -> Feature:
    bp = Blueprint("extra_notes", __name__)

    @bp.route("/")
    @require_permission("notes.view")
    def index():
        return "<!doctype html><title>Notes</title><h1>Company notes</h1>"

    return Feature(key="notes", label="Notes", description="Passed to create_app directly",
                   blueprint=bp, url_prefix="/notes", requires=frozenset({"orders"}),
                   nav=(NavEntry("extra_notes.index", "Notes", permission="notes.view"),),
                   permissions={"notes.view": "See notes"})


def test_create_app_accepts_extra_features(own_app):
    app = own_app(extra_features=[_extra_feature()])
    assert "notes" in app.extensions["portal_features"]
    client = sign_in_admin_contact(app)
    assert "Company notes" in client.get("/notes/").text
    assert "Notes" in nav_labels(client.get("/dashboard"))

    # It takes part in `requires` like a built-in: orders off takes notes down with it.
    toggle(app, "orders", False)
    client.get("/notes/", status=404)
    assert "Notes" not in nav_labels(client.get("/dashboard"))
    toggle(app, "notes", True)
    with app.app_context():
        assert settings.enabled_features()["orders"] is True
    assert "Company notes" in client.get("/notes/").text


def test_a_feature_declared_twice_is_refused(tmp_path):
    feature = _extra_feature()
    with pytest.raises(ValueError, match="declared twice"):
        create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/twice.db"},
                   extra_features=[feature, feature])


def test_a_feature_requiring_an_unknown_feature_is_refused(tmp_path):
    bp = Blueprint("needs_ghost", __name__)
    feature = Feature(key="needy", label="Needy", description="", blueprint=bp, url_prefix="/needy",
                      requires=frozenset({"ghost"}))
    with pytest.raises(ValueError, match="ghost"):
        create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/needy.db"},
                   extra_features=[feature])
