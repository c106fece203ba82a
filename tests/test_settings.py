"""Typed settings: strict keys, coercion per type, all-or-nothing saves, defaults, one query per request."""
from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Blueprint
from sqlalchemy import func, select

from portal import create_app, settings
from portal.contract import Feature, SettingSpec
from portal.extensions import db as _db
from portal.models import SettingValue
from portal.settings import SettingsError


def stored_rows() -> dict[str, object]:
    _db.session.expire_all()
    return {row.key: row.value for row in _db.session.execute(select(SettingValue)).scalars()}


# --- on the suite's app (whatever engine it runs on) ----------------------------------------------

def test_every_declared_setting_reads_as_its_default_when_nothing_is_stored(db):
    assert stored_rows() == {}
    specs = settings.specs()
    assert any(key.startswith("features.") for key in specs), "feature toggles are declared settings"
    for key, spec in specs.items():
        expected = Decimal(str(spec.default)) if spec.type == "decimal" else spec.default
        assert settings.get(key) == expected, key


def test_the_default_business_name_brands_the_pages(testapp):
    default = settings.specs()["branding.business_name"].default
    res = testapp.get("/login")
    assert f"Sign in · {default}" in res.text


def test_unknown_keys_are_refused_on_read_and_save(db):
    with pytest.raises(KeyError):
        settings.get("branding.no_such_setting")
    with pytest.raises(KeyError):
        settings.save({"no_such.setting": "1"})
    with pytest.raises(KeyError):
        settings.save({"branding.business_name": "Acme", "no_such.setting": "1"})
    assert stored_rows() == {}
    assert settings.get("branding.business_name") == settings.specs()["branding.business_name"].default


def test_a_saved_value_is_read_back_typed(db):
    settings.save({"pricing.portal_discount_percent": " 2.5 ", "branding.primary_color": "#AABBCC",
                   "prices.hide": "on", "stock.display": "number"})
    _db.session.remove()
    assert settings.get("pricing.portal_discount_percent") == Decimal("2.5")
    assert settings.get("branding.primary_color") == "#aabbcc"
    assert settings.get("prices.hide") is True
    assert settings.get("stock.display") == "number"


def test_settings_are_read_with_one_query_per_request(app, db, count_queries):
    with app.test_request_context("/"):
        with count_queries() as counter:
            settings.get("branding.business_name")
            settings.get("branding.primary_color")
            settings.enabled_features()
        assert counter.count == 1
        assert "setting_value" in counter.statements[0]
        # A save in the same request is seen by the next read of that request.
        settings.save({"branding.business_name": "Acme Supplies"})
        with count_queries() as counter:
            assert settings.get("branding.business_name") == "Acme Supplies"
            assert settings.get("branding.footer_text") == ""
        assert counter.count == 1


def test_a_page_that_reads_many_settings_queries_them_once(testapp, count_queries):
    with count_queries() as counter:
        res = testapp.get("/login")
    assert res.status_int == 200
    assert sum("setting_value" in s for s in counter.statements) == 1, counter.statements


# --- coercion of every type, on an app with a feature declaring one setting of each ---------------

PROBE = {
    "count": SettingSpec(10, "Item count", type="int", minimum=1, maximum=50),
    "rate": SettingSpec("1.5", "Rate (%)", type="decimal", minimum=0, maximum=100),
    "flag": SettingSpec(False, "Flag"),
    "colour": SettingSpec("#112233", "Highlight colour", type="color"),
    "mode": SettingSpec("a", "Mode", type="choice", choices=(("a", "Mode A"), ("b", "Mode B"))),
    "name": SettingSpec("", "Display name", type="str"),
}


@pytest.fixture(scope="module")
def probe_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("settings") / "probe.db"
    feature = Feature(key="probe", label="Probe", description="declares one setting of each type",
                      blueprint=Blueprint("settings_probe", __name__), url_prefix="/probe", settings=PROBE)
    app = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "FEATURE_ENTRY_POINTS": False}, extra_features=[feature])
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def probe(probe_app):
    with probe_app.app_context():
        _db.session.execute(SettingValue.__table__.delete())
        _db.session.commit()
        yield probe_app
        _db.session.remove()


def test_feature_settings_are_declared_under_the_feature_key(probe):
    assert {f"probe.{name}" for name in PROBE} <= settings.specs().keys()
    assert settings.get("probe.count") == 10
    assert settings.get("probe.rate") == Decimal("1.5")


@pytest.mark.parametrize(("key", "raw", "expected"), [
    ("probe.count", "42", 42),
    ("probe.count", " 7 ", 7),
    ("probe.count", 50, 50),
    ("probe.rate", "12.50", Decimal("12.50")),
    ("probe.rate", "0", Decimal(0)),
    ("probe.flag", "on", True),
    ("probe.flag", "true", True),
    ("probe.flag", "", False),
    ("probe.flag", "off", False),
    ("probe.flag", True, True),
    ("probe.colour", "#ABCDEF", "#abcdef"),
    ("probe.mode", "b", "b"),
    ("probe.name", "  Acme  ", "Acme"),
])
def test_good_values_are_stored_typed(probe, key, raw, expected):
    settings.save({key: raw})
    _db.session.remove()
    value = settings.get(key)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(("key", "raw", "message"), [
    ("probe.count", "abc", "whole number"),
    ("probe.count", "3.5", "whole number"),
    ("probe.count", "", "whole number"),
    ("probe.count", "0", "at least 1"),
    ("probe.count", "51", "at most 50"),
    ("probe.rate", "lots", "number"),
    ("probe.rate", "NaN", "number"),
    ("probe.rate", "Infinity", "number"),
    ("probe.rate", "-1", "at least 0"),
    ("probe.rate", "100.01", "at most 100"),
    ("probe.colour", "red", "colour"),
    ("probe.colour", "#abc", "colour"),
    ("probe.colour", "#12345g", "colour"),
    ("probe.mode", "c", "choices"),
    ("probe.name", "x" * 256, "255"),
])
def test_bad_values_raise_a_clear_error_and_nothing_is_stored(probe, key, raw, message):
    label = PROBE[key.split(".", 1)[1]].label
    with pytest.raises(SettingsError) as caught:
        settings.save({"probe.name": "Changed", key: raw} if key != "probe.name" else {key: raw,
                                                                                      "probe.count": "5"})
    assert list(caught.value.errors) == [key]
    assert label in caught.value.errors[key] and message in caught.value.errors[key]
    assert stored_rows() == {}
    assert settings.get("probe.name") == ""
    assert settings.get("probe.count") == 10


def test_a_bad_value_among_good_ones_changes_nothing_already_stored(probe):
    settings.save({"probe.count": "20", "probe.colour": "#000000"})
    with pytest.raises(SettingsError):
        settings.save({"probe.count": "30", "probe.colour": "not a colour"})
    assert stored_rows() == {"probe.count": 20, "probe.colour": "#000000"}
    assert _db.session.execute(select(func.count()).select_from(SettingValue)).scalar_one() == 2
