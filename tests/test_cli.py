"""The `portal` commands: init-db, create-admin, seed-demo and demo."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select
from webtest import TestApp

from portal import create_app
from portal.extensions import db as _db
from portal.models import Company, PriceTier, Role, User, UserKind

GOOD_PASSWORD = "a-long-staff-password"


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def fresh_app(tmp_path):
    """An app on its own empty SQLite file, for commands that run the migrations."""
    loggers = {name: lg.disabled for name, lg in logging.root.manager.loggerDict.items()
               if isinstance(lg, logging.Logger)}
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/fresh.db"})
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    # Alembic's logging config disables the loggers that existed before it ran; undo that.
    for name, disabled in loggers.items():
        logging.getLogger(name).disabled = disabled


def _sign_in(testapp, email, password):
    form = testapp.get("/login").forms["login"]
    form["email"] = email
    form["password"] = password
    return form.submit()


def test_create_admin_makes_a_staff_user_who_reaches_the_back_office(runner, testapp, db):
    result = runner.invoke(args=["create-admin", "--email", "Olivia@Northwind.example", "--name", "Olivia Bennett",
                                 "--password", GOOD_PASSWORD])
    assert result.exit_code == 0, result.output
    assert "olivia@northwind.example" in result.output
    user = db.session.execute(select(User).filter_by(email="olivia@northwind.example")).scalar_one()
    assert user.kind == UserKind.staff and user.is_active
    res = _sign_in(testapp, "olivia@northwind.example", GOOD_PASSWORD)
    assert res.status_int == 302
    admin = testapp.get("/admin/")
    assert admin.status_int == 200


def test_create_admin_asks_for_the_password_twice_without_echoing_it(runner, db):
    result = runner.invoke(args=["create-admin", "--email", "finance@northwind.example", "--name", "Daan"],
                           input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert GOOD_PASSWORD not in result.output
    user = db.session.execute(select(User).filter_by(email="finance@northwind.example")).scalar_one()
    assert user.check_password(GOOD_PASSWORD)


def test_create_admin_refuses_an_email_in_use(runner, make, db):
    make.staff(email="olivia@northwind.example")
    result = runner.invoke(args=["create-admin", "--email", "OLIVIA@northwind.example", "--name", "Someone Else",
                                 "--password", GOOD_PASSWORD])
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert db.session.execute(select(func.count(User.id))).scalar() == 1


@pytest.mark.parametrize("password, message", [
    ("short", "at least 10 characters"),
    ("password123", "too common"),
])
def test_create_admin_refuses_a_weak_password(runner, db, password, message):
    result = runner.invoke(args=["create-admin", "--email", "olivia@northwind.example", "--name", "Olivia",
                                 "--password", password])
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.execute(select(func.count(User.id))).scalar() == 0


def test_create_admin_refuses_an_invalid_email(runner, db):
    result = runner.invoke(args=["create-admin", "--email", "not-an-email", "--name", "Olivia",
                                 "--password", GOOD_PASSWORD])
    assert result.exit_code != 0
    assert "not a valid email address" in result.output


def test_init_db_creates_the_schema_and_reference_rows_and_is_idempotent(fresh_app):
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    assert "Standard" in first.output
    second = runner.invoke(args=["init-db"])
    assert second.exit_code == 0, second.output
    assert "already in place" in second.output
    with fresh_app.app_context():
        assert sorted(_db.session.execute(select(Role.name)).scalars()) == ["Admin", "Buyer", "Finance", "Viewer"]
        tiers = _db.session.execute(select(PriceTier)).scalars().all()
        assert [(t.name, t.is_default) for t in tiers] == [("Standard", True)]


def test_init_db_keeps_an_existing_default_tier(db):
    db.session.add(PriceTier(code="RETAIL", name="Retail", is_default=True))
    db.session.commit()
    from portal.commands import seed_reference

    assert seed_reference() == []
    assert [t.name for t in db.session.execute(select(PriceTier)).scalars()] == ["Retail"]


def test_seed_demo_loads_once_and_then_says_it_left_the_data_alone(runner, db):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Loaded" in first.output
    companies = db.session.execute(select(func.count(Company.id))).scalar()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert "not loaded" in second.output
    assert db.session.execute(select(func.count(Company.id))).scalar() == companies


def test_demo_prints_logins_that_work_and_keeps_data_on_restart(fresh_app, monkeypatch):
    served = []
    monkeypatch.setattr("werkzeug.serving.run_simple", lambda *args, **kw: served.append((args, kw)))
    runner = fresh_app.test_cli_runner()
    result = runner.invoke(args=["demo", "--port", "5099"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5099/" in result.output
    assert served and served[0][0][:2] == ("127.0.0.1", 5099)
    assert served[0][1]["threaded"] is True and served[0][1]["use_reloader"] is False
    customer_line = next(line for line in result.output.splitlines() if "Customer admin" in line)
    email, password = customer_line.split()[2:4]

    testapp = TestApp(fresh_app)
    res = _sign_in(testapp, email, password)
    assert res.status_int == 302
    assert "Acme Hardware" in testapp.get("/dashboard").text

    with fresh_app.app_context():
        orders_before = _db.session.execute(select(func.count(Company.id))).scalar()
    again = runner.invoke(args=["demo", "--port", "5099"])
    assert again.exit_code == 0, again.output
    assert "Keeping the data" in again.output and email in again.output
    with fresh_app.app_context():
        assert _db.session.execute(select(func.count(Company.id))).scalar() == orders_before
