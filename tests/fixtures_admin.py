"""A signed-in staff user in the back office, and helpers for Flask-Admin forms."""
from __future__ import annotations

import pytest
from webtest.forms import Text


@pytest.fixture
def staff(make):
    return make.staff(name="Stella Staff", email="stella@northwind.example")


@pytest.fixture
def admin(testapp, login, staff):
    """The test browser, signed in as staff."""
    login(testapp, staff)
    return testapp


def model_form(res):
    """The record form of a create/edit page (the other form on the page is the sign-out button)."""
    return next(f for f in res.forms.values() if "_continue_editing" in f.fields)


def submit_edit(admin, screen: str, record_id: int, **values):
    """Open a record's edit form on /admin/<screen>/, change the given fields and save it."""
    form = model_form(admin.get(f"/admin/{screen}/edit/?id={record_id}"))
    for name, value in values.items():
        form[name] = value
    return form.submit()


def add_inline(form, relation: str, index: int, **values) -> None:
    """What the "Add …" button of an inline list does in a browser: new fields <relation>-<n>-<name>."""
    for name, value in values.items():
        full = f"{relation}-{index}-{name}"
        field = Text(form, "input", full, len(form.field_order), value=str(value))
        form.fields.setdefault(full, []).append(field)
        form.field_order.append((full, field))


def errors_of(res) -> str:
    """Field errors and error flashes shown on a page."""
    nodes = res.html.select(".invalid-feedback, .help-block, .alert-danger, .form-text.text-danger")
    return " ".join(n.get_text(" ", strip=True) for n in nodes)


def delete_from_list(admin, list_url: str, record_id: int):
    """Press the delete button of one row on a list screen; returns the page it lands on."""
    listing = admin.get(list_url)
    form = next(f for f in listing.forms.values()
                if f.action.endswith("/delete/") and f["id"].value == str(record_id))
    return form.submit().follow()
