"""Third-party features: an installed plugin brings every part of the feature contract.

The plugin (source in tests/plugin_example/) is installed exactly as pip would leave it: the
package ``portal_example_plugin`` and a dist-info with a ``portal.features`` entry point, on a
folder added to sys.path (and to PYTHONPATH for the `portal` command). Each test runs on a fresh
database of the suite's engine (SQLite file or a new PostgreSQL database).
"""
from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import psycopg
import pytest
from flask import Blueprint
from sqlalchemy import create_engine, inspect, make_url, select, text

from portal import create_app, settings
from portal.contract import Feature, NavEntry, NumberKind
from portal.extensions import db as _db
from portal.models import NotificationRoute, OutboxEmail, Role, RoleGrant
from portal.permissions import require_permission
from tests.factories import Factories
from tests.fixtures_apps import fresh_database, sign_in
from tests.isolation_matrix import ACTING, PRINCIPALS, Matrix, build_world

SOURCE = Path(__file__).parent / "plugin_example"
METADATA = "Metadata-Version: 2.1\nName: portal-example-plugin\nVersion: 0.1\n"
ENTRY_POINTS = "[portal.features]\nhello = portal_example_plugin:feature\n"
PLUGIN_TABLE = "hello_note"

# Each test imports the plugin afresh, which declares its model class again.
pytestmark = pytest.mark.filterwarnings("ignore:This declarative base already contains a class")


def plugin_site(site: Path) -> Path:
    """The plugin distribution in the folder `site`: package + dist-info with its entry point."""
    shutil.copytree(SOURCE, site / "portal_example_plugin", ignore=shutil.ignore_patterns("__pycache__"))
    dist_info = site / "portal_example_plugin-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(METADATA)
    (dist_info / "entry_points.txt").write_text(ENTRY_POINTS)
    return site


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    """The plugin distribution in a site folder on sys.path: package + dist-info with its entry point."""
    site = plugin_site(tmp_path / "site")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    yield site
    for name in [m for m in sys.modules if m.startswith("portal_example_plugin")]:
        sys.modules.pop(name)
    importlib.invalidate_caches()


def portal_cli(*args: str, url: str, site: Path | None, cwd: Path) -> subprocess.CompletedProcess:
    """Run the real `portal` command against the database at `url`, with the plugin installed or not."""
    env = {**os.environ, "DATABASE_URL": url, "PORTAL_ENV": "testing"}
    env.pop("PYTHONPATH", None)
    if site is not None:
        env["PYTHONPATH"] = str(site)
    result = subprocess.run([str(Path(sys.executable).parent / "portal"), *args], env=env, cwd=cwd,
                            capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, f"portal {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def plugin_revision(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT version_num FROM alembic_version_hello")).scalars())
    finally:
        engine.dispose()


def nav_labels(res) -> list[str]:
    return [a.text.strip() for a in res.html.select('nav[aria-label="Main"] a')]


def admin_menu(res) -> str:
    return " ".join(a.get_text(" ", strip=True) for a in res.html.select("nav a"))


@pytest.fixture(scope="module")
def migrated_with_plugin(tmp_path_factory):
    """A database on which `portal init-db` ran with the plugin installed, once for the module: tests
    that start from that state get a copy (init_db_with_plugin) instead of migrating from base again.
    test_init_db_migrates_the_plugins_own_table_in_its_own_history checks that command itself."""
    folder = tmp_path_factory.mktemp("plugin-template")
    with fresh_database(folder / "db") as url:
        portal_cli("init-db", url=url, site=plugin_site(folder / "site"), cwd=folder)
        yield url


def init_db_with_plugin(template: str, url: str) -> None:
    """The database at `url` (fresh, empty) as `portal init-db` with the plugin installed leaves it:
    a copy of the module's template (the SQLite file, or CREATE DATABASE ... TEMPLATE)."""
    if url.startswith("sqlite"):
        shutil.copyfile(make_url(template).database, make_url(url).database)
        return
    target, source = make_url(url), make_url(template)
    server = {"host": target.host or "127.0.0.1", "port": target.port or 5432, "user": target.username or "postgres",
              "password": target.password, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target.database}" TEMPLATE "{source.database}"')


@pytest.fixture
def people(own_app, installed_plugin, fresh_database_url, migrated_with_plugin):
    """The database as `portal init-db` run with the plugin installed leaves it, then an app on that
    database with a customer (admin, buyer, viewer) and a staff user."""
    init_db_with_plugin(migrated_with_plugin, fresh_database_url)
    app = own_app(url=fresh_database_url)
    with app.app_context():
        make = Factories(_db)
        company = make.company(name="Notes & Co")
        users = {role: make.contact(company, role=role).email for role in ("Admin", "Buyer", "Viewer")}
        users["staff"] = make.staff().email
    return app, users


# --- the plugin proof -------------------------------------------------------------------------------

def test_init_db_migrates_the_plugins_own_table_in_its_own_history(installed_plugin, fresh_database_url,
                                                                      tmp_path):
    result = portal_cli("init-db", url=fresh_database_url, site=installed_plugin, cwd=tmp_path)
    assert "Database schema is up to date" in result.stdout
    assert PLUGIN_TABLE in table_names(fresh_database_url)
    assert plugin_revision(fresh_database_url) == ["hello0001"]
    # Run again on every deploy: nothing to do, nothing breaks.
    portal_cli("init-db", url=fresh_database_url, site=installed_plugin, cwd=tmp_path)
    assert plugin_revision(fresh_database_url) == ["hello0001"]


def test_db_upgrade_applies_the_plugins_revisions_too(installed_plugin, fresh_database_url, tmp_path):
    portal_cli("db", "upgrade", url=fresh_database_url, site=installed_plugin, cwd=tmp_path)
    assert PLUGIN_TABLE in table_names(fresh_database_url)
    assert plugin_revision(fresh_database_url) == ["hello0001"]


def test_every_part_appears_while_on_and_hides_when_off(people):
    app, users = people
    registry = app.extensions["portal_features"]
    assert "hello" in registry
    with app.app_context():
        _db.session.add(NotificationRoute(kind="hello_note_added", team_email="notes-team@northwind.example"))
        _db.session.commit()
    buyer, viewer = sign_in(app, users["Buyer"]), sign_in(app, users["Viewer"])
    staff = sign_in(app, users["staff"])

    # pages, nav and the dashboard block
    assert "Notes" in nav_labels(buyer.get("/dashboard"))
    assert "Latest note" in buyer.get("/dashboard").text
    form = buyer.get("/hello-plugin/").forms["note"]
    form["body"] = "Call the carrier about pallet 7"
    res = form.submit().follow()
    year = date.today().year
    assert f"HN-{year}-0001" in res.text  # the plugin's document number kind
    assert f"HN-{year}-0001: Call the carrier" in buyer.get("/dashboard").text
    # the grant gave Viewers hello.view but not hello.write
    assert "note" not in viewer.get("/hello-plugin/").forms

    # its email kind (to colleagues, by preference) and its staff event (to the chosen team)
    with app.app_context():
        mail = {(e.kind, e.to_address) for e in _db.session.execute(select(OutboxEmail)).scalars()}
    assert ("hello_note_added", users["Viewer"]) in mail and ("hello_note_added", users["Admin"]) in mail
    assert ("staff_notice", "notes-team@northwind.example") in mail
    assert "Notes added by colleagues" in viewer.get("/account/notifications").text

    # back office: its screen in the menu with the note, its event on the settings screen
    assert "Hello notes" in admin_menu(staff.get("/admin/"))
    assert "Call the carrier" in staff.get("/admin/hello-note/").text
    assert "A customer added a note" in staff.get("/admin/settings/").text

    with app.app_context():
        settings.set_feature("hello", False)
    assert "Notes" not in nav_labels(buyer.get("/dashboard"))
    assert "Latest note" not in buyer.get("/dashboard").text
    buyer.get("/hello-plugin/", status=404)
    assert "Notes added by colleagues" not in viewer.get("/account/notifications").text
    assert "Hello notes" not in admin_menu(staff.get("/admin/"))
    staff.get("/admin/hello-note/", status=404)
    assert "A customer added a note" not in staff.get("/admin/settings/").text

    with app.app_context():
        settings.set_feature("hello", True)
    assert "Call the carrier" in buyer.get("/hello-plugin/").text
    assert "Hello notes" in admin_menu(staff.get("/admin/"))


def test_grants_are_applied_once_so_a_staff_edit_stays(people, installed_plugin, fresh_database_url, tmp_path):
    app, _ = people
    with app.app_context():
        viewer = _db.session.execute(select(Role).filter_by(name="Viewer")).scalar_one()
        buyer = _db.session.execute(select(Role).filter_by(name="Buyer")).scalar_one()
        assert "hello.view" in viewer.permissions and "hello.write" not in viewer.permissions
        assert {"hello.view", "hello.write"} <= set(buyer.permissions)
        recorded = set(_db.session.execute(select(RoleGrant.role_name, RoleGrant.permission)
                                           .where(RoleGrant.feature == "hello")).tuples())
        assert ("Viewer", "hello.view") in recorded
        viewer.permissions = [p for p in viewer.permissions if p != "hello.view"]  # staff take it away
        _db.session.commit()
    portal_cli("init-db", url=fresh_database_url, site=installed_plugin, cwd=tmp_path)  # an upgrade
    with app.app_context():
        _db.session.expire_all()
        viewer = _db.session.execute(select(Role).filter_by(name="Viewer")).scalar_one()
        assert "hello.view" not in viewer.permissions


def test_the_isolation_matrix_covers_the_plugins_routes(own_app, installed_plugin, fresh_database_url,
                                                       migrated_with_plugin):
    init_db_with_plugin(migrated_with_plugin, fresh_database_url)
    app = own_app(url=fresh_database_url)
    matrix = Matrix(app, only_blueprints={"hello_plugin"})
    assert {"hello_plugin.index", "hello_plugin.note", "hello_plugin.add_note"} == set(matrix.endpoints)
    world = build_world(app, matrix.objects)
    cases = [("GET", c.values) for c in matrix.cases("GET", PRINCIPALS)]
    cases += [("POST", c.values) for c in matrix.cases("POST", ACTING)]
    assert any(method == "GET" and values[1] == "hello_plugin.note" and values[3] == "B"
               for method, values in cases), "the note page is checked against another company's note"
    failures = []
    for method, values in cases:
        try:
            (matrix.check_get if method == "GET" else matrix.check_post)(world, *values)
        except AssertionError as error:  # collect them all, so one run shows every hole
            failures.append(f"{method} {values[1]} as {values[2]}: {error}")
    assert not failures, "\n".join(failures)


def test_removing_the_plugin_leaves_the_core_working_and_its_table_in_place(people, fresh_database_url,
                                                                             tmp_path, own_app):
    _, users = people
    # Uninstalled: the `portal` command and the app no longer find it.
    portal_cli("init-db", url=fresh_database_url, site=None, cwd=tmp_path)
    core_only = own_app(url=fresh_database_url, config={"FEATURE_ENTRY_POINTS": False})
    assert "hello" not in core_only.extensions["portal_features"]
    assert PLUGIN_TABLE in table_names(fresh_database_url)
    client = sign_in(core_only, users["Buyer"])
    res = client.get("/dashboard")
    assert "Notes" not in nav_labels(res) and "Latest note" not in res.text
    client.get("/hello-plugin/", status=404)


# --- registry rules ---------------------------------------------------------------------------------

def test_entry_points_can_be_switched_off_by_config(installed_plugin, tmp_path):
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/off.db",
                      "FEATURE_ENTRY_POINTS": False})
    assert "hello" not in app.extensions["portal_features"]


def test_without_the_distribution_there_is_no_plugin(tmp_path):
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/none.db"})
    assert "hello" not in app.extensions["portal_features"]


def _extra_feature(**overrides) -> Feature:
    bp = Blueprint(overrides.pop("blueprint_name", "extra_notes"), __name__)

    @bp.route("/")
    @require_permission("notes.view")
    def index():
        return "<!doctype html><title>Notes</title><h1>Company notes</h1>"

    declared = {"key": "notes", "label": "Notes", "description": "Passed to create_app directly",
                "blueprint": bp, "url_prefix": "/notes", "requires": frozenset({"orders"}),
                "nav": (NavEntry("extra_notes.index", "Notes", permission="notes.view"),),
                "permissions": {"notes.view": "See notes"}, "grants": {"Admin": {"notes.view"}}}
    return Feature(**{**declared, **overrides})


def test_create_app_accepts_extra_features(own_app):
    app = own_app(extra_features=[_extra_feature()])
    assert "notes" in app.extensions["portal_features"]
    with app.app_context():
        email = Factories(_db).contact(role="Admin").email
    client = sign_in(app, email)
    assert "Company notes" in client.get("/notes/").text
    assert "Notes" in nav_labels(client.get("/dashboard"))

    # It takes part in `requires` like a built-in: orders off takes notes down with it.
    with app.app_context():
        settings.set_feature("orders", False)
    client.get("/notes/", status=404)
    assert "Notes" not in nav_labels(client.get("/dashboard"))
    with app.app_context():
        settings.set_feature("notes", True)
        assert settings.enabled_features()["orders"] is True
    assert "Company notes" in client.get("/notes/").text


def test_a_feature_declared_twice_is_refused(tmp_path):
    feature = _extra_feature()
    with pytest.raises(ValueError, match="declared twice"):
        create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/twice.db"},
                   extra_features=[feature, feature])


def test_a_feature_requiring_an_unknown_feature_is_refused(tmp_path):
    feature = _extra_feature(requires=frozenset({"ghost"}))
    with pytest.raises(ValueError, match="ghost"):
        create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/needy.db"},
                   extra_features=[feature])


@pytest.mark.parametrize("overrides, message", [
    ({"permissions": {"orders.view": "Taken"}, "grants": {}}, "permission 'orders.view' is declared by both"),
    ({"grants": {"Viewer": {"notes.edit"}}}, "grants permission(s) it does not declare"),
    ({"numbers": {"note": NumberKind("SO")}},
     "document number prefix 'SO' is declared by both"),
    ({"events": {"invitation_accepted": "again"}}, "staff event 'invitation_accepted' is declared by both"),
    ({"isolation": {"order_id": lambda company: 1}}, "isolation argument 'order_id' is declared by both"),
])
def test_a_feature_clashing_with_another_is_refused(tmp_path, overrides, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/clash.db"},
                   extra_features=[_extra_feature(**overrides)])
