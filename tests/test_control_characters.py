"""Issue 7 item 25: a control character (a NUL byte above all: a PostgreSQL error) in any form field or
query parameter is a clear 400 and changes nothing — on every page and form, on both engines."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import url_for
from flask_admin.model import BaseModelView
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter
from wtforms import Form

from portal import settings
from portal.forms import ONE_LINE_MESSAGE, BackOfficeForm, PortalForm
from portal.models import Address, Company, OutboxEmail, User
from tests.fixtures_admin import submit_edit

NUL = "\x00"
#: NUL and the other control characters no field takes
CONTROLS = [NUL, "\x01", "\x08", "\x0b", "\x1b", "\x7f"]
MESSAGE = "control character"


def refused(res) -> bool:
    return res.status_int == 400 and MESSAGE in res.text


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def ann(make):
    return make.contact(make.company(name="ACME Tools"), role="Admin", name="Ann Admin")


@pytest.fixture
def customer(testapp, login, ann):
    login(testapp, ann)
    return testapp


# --- the six places that answered 500 on PostgreSQL ---------------------------------------------------------

@pytest.mark.parametrize("char", CONTROLS)
def test_profile_name_with_a_control_character(db, customer, ann, char):
    form = customer.get("/account").forms["profile"]
    form["name"] = f"Ann{char}Evil"
    assert refused(form.submit(expect_errors=True))
    db.session.expire_all()
    assert db.session.get(User, ann.id).name == "Ann Admin"


def test_address_with_a_nul(db, customer):
    form = customer.get("/account/addresses/new").forms["address"]
    for key, value in {"label": "Warehouse", "line1": f"Dock{NUL}Road 5", "city": "Amsterdam", "country": "NL"}.items():
        form[key] = value
    assert refused(form.submit(expect_errors=True))
    assert count(db, Address) == 0


def test_colleague_invitation_with_a_nul(db, customer):
    users = count(db, User)
    form = customer.get("/company/users/invite").forms["invite"]
    form["name"], form["email"] = f"Carl{NUL}", "carl@example.com"
    form.select("role", text="Buyer")
    assert refused(form.submit(expect_errors=True))
    assert count(db, User) == users and count(db, OutboxEmail) == 0


def test_invoice_search_with_a_nul(db, customer):
    assert refused(customer.get(f"/invoices/?q=INV{quote(NUL)}", expect_errors=True))


def test_admin_search_with_a_nul_on_every_searchable_screen(app, db, admin):
    views = [v for v in app.extensions["portal_admin"]._views
             if isinstance(v, BaseModelView) and v.column_searchable_list]
    assert len(views) > 10
    for view in views:
        res = admin.get(f"{view.url}/?search=a{quote(NUL)}b", expect_errors=True)
        assert refused(res), f"{view.endpoint}: {res.status_int}"


def test_rep_invitation_with_a_nul(db, admin):
    users = count(db, User)
    form = admin.get("/admin/sales-reps/").click("Invite sales rep").forms[1]
    form["name"], form["email"] = f"Rita{NUL}Rep", "rita@northwind.example"
    assert refused(form.submit(expect_errors=True))
    assert count(db, User) == users and count(db, OutboxEmail) == 0


# --- every page and every form ------------------------------------------------------------------------------

def _url(app, rule) -> str:
    values = {name: (1 if isinstance(conv, IntegerConverter) else "x") for name, conv in rule._converters.items()}
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _rules(app, method):
    return [r for r in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
            if method in r.methods and not r.endpoint.endswith("static")]


def _token(client, who: str) -> str:
    """The session's CSRF token, read from a form the principal can open."""
    if who == "staff":
        return client.get("/admin/settings/").forms["settings"]["csrf_token"].value
    return client.get("/account/password").forms["password"]["csrf_token"].value


@pytest.mark.parametrize("who", ["anonymous", "customer", "staff"])
def test_a_control_character_in_any_query_parameter_is_400(app, testapp, make, login, ann, who):
    if who == "customer":
        login(testapp, ann)
    elif who == "staff":
        login(testapp, make.staff())
    failures = []
    for rule in _rules(app, "GET"):
        for param in ("q", "search", "next", "page"):
            url = f"{_url(app, rule)}?{param}=a{quote(NUL)}"
            res = testapp.get(url, expect_errors=True)
            if not refused(res):
                failures.append(f"{url}: {res.status_int}")
    assert not failures, "\n".join(failures)


def test_a_control_character_in_the_url_path_is_400(app, testapp):
    for path in (f"/invite/abc{quote(NUL)}", f"/q/x{quote(chr(1))}", f"/login/link/{quote(NUL)}"):
        assert refused(testapp.get(path, expect_errors=True)), path


@pytest.mark.parametrize("who", ["customer", "staff"])
def test_a_nul_in_any_posted_form_is_400_and_changes_nothing(app, db, testapp, make, login, ann, who):
    login(testapp, ann if who == "customer" else make.staff())
    token = _token(testapp, who)
    users, emails = count(db, User), count(db, OutboxEmail)
    failures = []
    for rule in _rules(app, "POST"):
        url = _url(app, rule)
        for field in ("name", "email", "csrf_token_extra", "search"):
            res = testapp.post(url, {"csrf_token": token, field: f"x{NUL}y", "submit": "1"}, expect_errors=True)
            if not refused(res):
                failures.append(f"POST {url} {field}: {res.status_int}")
    assert not failures, "\n".join(failures)
    assert (count(db, User), count(db, OutboxEmail)) == (users, emails)


def test_text_areas_keep_their_line_breaks_and_tabs(app, db, admin):
    """Tab, newline and carriage return are not refused in a form: multi-line fields need them."""
    res = admin.get("/admin/settings/")
    form = res.forms["settings"]
    text_keys = [k for k in form.fields if res.html.find("textarea", attrs={"name": k})]
    assert text_keys
    form[text_keys[0]] = "First line\r\n\tSecond line"
    res = form.submit(expect_errors=True)
    assert res.status_int in (200, 302) and MESSAGE not in res.text


# --- one-line inputs: tab and line breaks only in text areas -------------------------------------------------

@pytest.mark.parametrize("value", ["Ann\nEvil", "Ann\r\nBcc: x@example.com", "Ann\tAdmin"])
def test_a_line_break_in_a_one_line_field_is_a_form_error(db, customer, ann, value):
    form = customer.get("/account").forms["profile"]
    form["name"] = value
    res = form.submit()
    assert res.status_int == 200 and ONE_LINE_MESSAGE in res.text
    db.session.expire_all()
    assert db.session.get(User, ann.id).name == "Ann Admin"


def test_a_line_break_in_a_back_office_one_line_field_is_a_form_error(db, admin, make):
    company = make.company(name="ACME Tools")
    res = submit_edit(admin, "company", company.id, name="ACME\r\nTools")
    assert res.status_int == 200 and ONE_LINE_MESSAGE in res.text
    db.session.expire_all()
    assert db.session.get(Company, company.id).name == "ACME Tools"


def test_a_line_break_in_a_one_line_setting_is_refused(db, admin):
    form = admin.get("/admin/settings/").forms["settings"]
    form["branding.business_name"] = "Northwind\nSupply"
    res = form.submit()
    assert "single line" in res.text
    assert settings.get("branding.business_name") != "Northwind\nSupply"


def test_every_form_class_of_the_app_takes_the_one_line_rule(app):
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [f for f in subclasses(Form) if f.__module__.startswith("portal.")]
    assert len(ours) > 8
    for form_class in ours:
        assert issubclass(form_class, PortalForm | BackOfficeForm), form_class
    for view in app.extensions["portal_admin"]._views:
        if isinstance(view, BaseModelView):
            assert issubclass(view.form_base_class, BackOfficeForm), view.endpoint
