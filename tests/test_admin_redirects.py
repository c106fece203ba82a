"""The back office's return targets (Flask-Admin's `url=`, the Referer) pass the portal's safe-next check."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from portal.services.redirects import safe_next, same_site_path
from tests.fixtures_admin import model_form

HOSTILE = [
    "//evil.com", "/\\evil.com", "\\\\evil.com", "https:evil.com", "https://evil.com/x", "http:/evil.com",
    "http:\\\\evil.com", "%2F%2Fevil.com", "/%2F%2Fevil.com", "/%5Cevil.com", "/%252F%252Fevil.com",
    "javascript:alert(1)", "java\tscript:alert(1)", " //evil.com", "/\t/evil.com", "/\n/evil.com",
    "/%09/evil.com", "//user@evil.com", "https://localhost@evil.com/", "http://localhost.evil.com/",
    "/..//evil.com", "/%2e%2e//evil.com", "data:text/html,<script>alert(1)</script>", "\x00//evil.com",
    "\u3000//evil.com", "///evil.com",
]
HOST = "http://localhost/"


def has_control_character(target: str) -> bool:
    """Refused with a 400 before any view reads it (portal.input_guard), which is stricter still."""
    return any(ord(c) < 32 or ord(c) == 127 for c in target)


def assert_stays_here(res) -> None:
    location = res.headers.get("Location", "")
    assert res.status_int in (301, 302, 303), res.status
    assert same_site_path(location, HOST) is not None, location
    assert "evil" not in location.lower() and "script" not in location.lower(), location


def assert_no_link_to(res, target: str) -> None:
    for node in res.html.select("a[href], input[name=url]"):
        value = node.get("href") if node.name == "a" else node.get("value")
        assert value != target, f"{node} carries the hostile target"


@pytest.mark.parametrize("target", HOSTILE)
def test_safe_next_refuses_every_hostile_form(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/admin/company/", "/admin/company/?search=acme%20tools&page=2",
                                    "/admin/user/edit/?id=3&url=%2Fadmin%2Fuser%2F", "/orders/?status=open"])
def test_safe_next_keeps_paths_of_this_site(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", HOSTILE)
def test_create_edit_delete_and_details_return_only_to_this_site(admin, make, target):
    company = make.company("Acme Tools")
    if has_control_character(target):
        assert admin.get("/admin/company/new/?url=" + quote(target, safe=""), expect_errors=True).status_int == 400
        return
    # create: the form's Cancel link and hidden return field never carry the target, nor does the redirect
    page = admin.get("/admin/company/new/?url=" + quote(target, safe=""))
    assert_no_link_to(page, target)
    form = model_form(page)
    form["code"], form["name"], form["currency"] = "C-9", "Evil Inc", "EUR"
    assert_stays_here(form.submit())
    # edit
    page = admin.get(f"/admin/company/edit/?id={company.id}&url=" + quote(target, safe=""))
    assert_no_link_to(page, target)
    assert_stays_here(model_form(page).submit())
    # details of a record that is gone, and edit of one: Flask-Admin redirects to the return target
    assert_stays_here(admin.get("/admin/company/details/?id=999999&url=" + quote(target, safe="")))
    assert_stays_here(admin.get("/admin/company/edit/?id=999999", params={"url": target}))
    # delete and list actions post the target in the form
    csrf = _csrf(admin)
    assert_stays_here(admin.post("/admin/company/action/", {"action": "delete", "rowid": str(company.id),
                                                             "url": target, "csrf_token": csrf}))
    other = make.company("Other Ltd")
    assert_stays_here(admin.post("/admin/company/delete/", {"id": str(other.id), "url": target,
                                                             "csrf_token": csrf}))


def _csrf(admin) -> str:
    listing = admin.get("/admin/company/")
    return next(f["csrf_token"].value for f in listing.forms.values() if "csrf_token" in f.fields)


@pytest.mark.parametrize("target", HOSTILE)
def test_the_portals_own_back_office_screens_return_only_to_this_site(admin, make, target):
    contact = make.contact()
    csrf = _csrf(admin)
    for path in ("/admin/invitations/resend/", "/admin/invitations/revoke/", "/admin/user/create-login/"):
        res = admin.post(path, {"user_id": str(contact.id), "url": target, "csrf_token": csrf}, expect_errors=True)
        if has_control_character(target) and "\t" not in target and "\n" not in target:
            assert res.status_int == 400  # form values keep tabs and line breaks; other control characters are refused
        else:
            assert_stays_here(res)
    # the Referer is a return target too
    res = admin.post("/admin/outbox-email/resend-failed/", {"csrf_token": csrf}, headers={"Referer": target})
    assert_stays_here(res)


def test_a_safe_return_target_is_kept(admin, make):
    company = make.company("Acme Tools")
    page = admin.get(f"/admin/company/edit/?id={company.id}&url=" + quote("/admin/company/?search=acme", safe=""))
    res = model_form(page).submit()
    assert res.location.endswith("/admin/company/?search=acme")
