"""The Portal settings screen: every declared setting is a field; a save is live on the next request."""
from __future__ import annotations

import base64

import pytest
from webtest import TestApp, Upload

from portal import settings
from portal.features import registry
from portal.models import AuditLog, UserKind
from tests.test_admin_access import FAST_HASH

#: a 1x1 transparent PNG
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


@pytest.fixture
def staff_app(testapp, login, make):
    user = make.user(UserKind.staff, password=None, name="Stella Staff")
    user.password_hash = FAST_HASH
    make.db.session.commit()
    login(testapp, user)
    return testapp


@pytest.fixture
def customer_app(testapp, login, make):
    company = make.company(name="ACME Tools")
    make.order(company)
    client = TestApp(testapp.app)
    login(client, make.contact(company, role="Admin"))
    return client


def settings_form(client):
    return client.get("/admin/settings/").forms["settings"]


def nav_links(res) -> list[str]:
    nav = res.html.select_one('nav[aria-label="Main"]')
    return [a["href"] for a in nav.select("a")] if nav else []


def stored(key):
    from portal.extensions import db

    db.session.expire_all()
    return settings._load()[key]


def test_every_declared_setting_has_a_labelled_field_named_by_its_key(app, staff_app):
    res = staff_app.get("/admin/settings/")
    form = res.forms["settings"]
    for key, spec in settings.specs().items():
        name = "branding.logo" if key == "branding.logo_path" else key
        assert name in form.fields, f"no field for {key}"
        label = res.html.find("label", attrs={"for": name})
        assert label is not None and label.get_text(strip=True) == spec.label, key
    assert [b.get_text(strip=True) for b in res.html.select("form#settings button")] == ["Test", "Save settings"]
    assert res.html.select_one('form#settings input[name="csrf_token"]')["value"]
    assert res.html.select_one('input[name="branding.primary_color"]')["type"] == "color"
    assert res.html.select_one('[name="branding.footer_text"]').name == "textarea"
    assert res.html.select_one('[name="stock.display"]').name == "select"
    assert res.html.select_one('input[name="branding.logo"]')["type"] == "file"
    # features come first, each a checkbox labelled with the feature
    first_fieldset = res.html.select("form#settings fieldset")[0]
    assert first_fieldset.legend.get_text(strip=True) == settings.GROUP_LABELS["features"]
    # (a feature's own yes/no settings sit under its toggle)
    toggles = [i["name"] for i in first_fieldset.select('input[type="checkbox"]') if i["name"].startswith("features.")]
    assert toggles[: len(registry().togglable())] == [f.setting_key for f in registry().togglable()]


def test_switching_a_feature_off_hides_it_from_customers_on_the_next_request(app, staff_app, customer_app):
    orders = registry().get("orders")
    assert "/orders/" in nav_links(customer_app.get("/dashboard"))
    customer_app.get("/orders/", status=200)

    form = settings_form(staff_app)
    assert form["features.orders"].checked
    was_on = {k for k in registry().closure_off("orders") if form[f"features.{k}"].checked}
    form["features.orders"] = False
    res = form.submit().follow()
    assert "Settings saved." in res.text
    dependants = sorted(registry().get(k).label for k in was_on - {"orders"})
    for label in dependants:
        assert label in res.html.select_one(".alert-success").text
    assert not res.forms["settings"]["features.orders"].checked

    customer_app.get("/orders/", status=404)
    assert "/orders/" not in nav_links(customer_app.get("/dashboard"))
    assert orders.nav[0].label not in [a.text for a in customer_app.get("/dashboard").html.select("nav a")]

    form = settings_form(staff_app)
    form["features.orders"] = True
    form.submit()
    customer_app.get("/orders/", status=200)


def test_switching_a_feature_on_also_switches_on_what_it_needs(app, staff_app):
    feature = next((f for f in registry().togglable() if f.requires), None)
    if feature is None:
        pytest.skip("no installed feature requires another")
    needed = min(feature.requires)
    settings.set_feature(needed, False)  # which also switches `feature` off
    assert stored(feature.setting_key) is False

    form = settings_form(staff_app)
    form[feature.setting_key] = True
    res = form.submit().follow()
    assert stored(f"features.{needed}") is True
    assert registry().get(needed).label in res.html.select_one(".alert-success").text
    assert "Also switched on" in res.text


def test_bad_colour_is_shown_at_its_field_and_nothing_changes(app, staff_app):
    form = settings_form(staff_app)
    form["branding.business_name"] = "Renamed BV"
    form["branding.primary_color"] = "red"
    form["features.orders"] = False
    res = form.submit()
    assert res.status_int == 200
    error = res.html.find(id="branding.primary_color-error")
    assert error is not None and "Primary colour must be a colour like #1d4ed8" in error.text
    field = res.html.find(id="branding.primary_color")
    assert field["aria-invalid"] == "true" and "branding.primary_color-error" in field["aria-describedby"]
    assert "Nothing was saved" in res.text
    assert res.forms["settings"]["branding.business_name"].value == "Renamed BV"  # what was typed is kept
    assert stored("branding.business_name") == "Portal"
    assert stored("branding.primary_color") == "#1d4ed8"
    assert stored("features.orders") is True


@pytest.mark.parametrize(("key", "value", "message"), [
    ("pricing.portal_discount_percent", "150", "must be at most 100"),
    ("pricing.portal_discount_percent", "ten", "must be a number"),
    ("stock.display", "everything", "is not one of the offered choices"),
])
def test_other_bad_values_are_field_errors(app, staff_app, key, value, message):
    form = settings_form(staff_app)
    if key == "stock.display":
        form[key].force_value(value)
    else:
        form[key] = value
    res = form.submit()
    assert message in res.html.find(id=f"{key}-error").text
    assert stored(key) == settings.specs()[key].default


def test_logo_upload_is_served_at_brand_logo_and_can_be_removed(app, staff_app, testapp):
    testapp.get("/brand/logo", status=404)
    form = settings_form(staff_app)
    form["branding.logo"] = Upload("logo.png", PNG, "image/png")
    res = form.submit().follow()
    assert "Settings saved." in res.text
    assert stored("branding.logo_path").endswith(".png")
    logo = TestApp(testapp.app).get("/brand/logo")  # public: shown on the sign-in page too
    assert logo.body == PNG
    assert res.html.find("img", alt="Current logo") is not None
    assert 'src="/brand/logo"' in TestApp(testapp.app).get("/login").text

    form = res.forms["settings"]
    form["branding.logo_remove"] = True
    form.submit()
    assert stored("branding.logo_path") == ""
    TestApp(testapp.app).get("/brand/logo", status=404)


def test_a_file_that_is_not_an_image_is_refused(app, staff_app):
    form = settings_form(staff_app)
    form["branding.logo"] = Upload("invoice.pdf", b"%PDF-1.4", "application/pdf")
    res = form.submit()
    assert "must be an image" in res.html.find(id="branding.logo_path-error").text
    assert stored("branding.logo_path") == ""


def test_saving_settings_is_audited(app, staff_app):
    from portal.extensions import db

    form = settings_form(staff_app)
    form["branding.business_name"] = "ACME Supplies"
    form.submit()
    assert stored("branding.business_name") == "ACME Supplies"
    row = db.session.query(AuditLog).filter_by(action="settings.save").one()
    assert "branding.business_name" in row.details["keys"]
