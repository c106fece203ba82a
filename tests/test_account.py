"""The user's own account: profile, password change, notification preferences, address book, companies."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from webtest import TestApp

from portal import settings
from portal.models import Address, AddressKind, AuditLog, User
from portal.services import accounts, addresses
from portal.services.accounts import AccountError
from portal.services.actor import Actor
from portal.services.addresses import AddressData, AddressError
from tests.conftest import PASSWORD

NEW_PASSWORD = "plum orchard lantern 42"


def audit_actions(db, **filters) -> list[str]:
    return [row.action for row in db.session.execute(select(AuditLog).filter_by(**filters)).scalars()]


def fresh(db, obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


# --- profile -----------------------------------------------------------------------------------------

def test_contact_changes_name_and_phone(testapp, make, login, db):
    user = make.contact(name="Ann Old")
    res = login(testapp, user)
    res = res.follow() if res.status_int == 302 else res
    form = res.click(href="/account$").forms["profile"]  # the name in the header leads to the account
    assert form["name"].value == "Ann Old"
    form["name"] = "Ann New"
    form["phone"] = "+31 20 123 4567"
    res = form.submit().follow()
    assert "Your profile is saved." in res.text
    assert res.forms["profile"]["name"].value == "Ann New"
    user = fresh(db, user)
    assert (user.name, user.phone) == ("Ann New", "+31 20 123 4567")
    assert "account.profile_updated" in audit_actions(db, actor_id=user.id)


@pytest.mark.parametrize("name, phone, message", [
    ("", "", "Enter your name."),
    ("Ann", "call me maybe", "Enter a phone number with digits"),
])
def test_bad_profile_input_shows_a_message_and_changes_nothing(testapp, make, login, db, name, phone, message):
    user = make.contact(name="Ann Old", phone="+31 1234567")
    login(testapp, user)
    form = testapp.get("/account").forms["profile"]
    form["name"] = name
    form["phone"] = phone
    res = form.submit()
    assert res.status_int == 200
    assert message in res.text
    user = fresh(db, user)
    assert (user.name, user.phone) == ("Ann Old", "+31 1234567")
    assert audit_actions(db, action="account.profile_updated") == []


def test_profile_needs_sign_in_and_is_not_for_staff(testapp, make, login):
    res = testapp.get("/account")
    assert res.status_int == 302 and "/login" in res.location
    login(testapp, make.staff(), expect_success=False).follow()
    testapp.get("/account", status=403)


# --- password ----------------------------------------------------------------------------------------

def change_password_form(testapp, current, new, confirm):
    form = testapp.get("/account/password").forms["password"]
    form["current"], form["new"], form["confirm"] = current, new, confirm
    return form.submit()


def test_password_change_keeps_this_session_and_ends_the_others(app, testapp, make, login, db):
    user = make.contact()
    other_device = TestApp(testapp.app)
    login(other_device, user)
    other_device.get("/account", status=200)
    login(testapp, user)

    res = change_password_form(testapp, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).follow()
    assert "Your password is changed." in res.text
    testapp.get("/account", status=200)  # still signed in here
    res = other_device.get("/account")
    assert res.status_int == 302 and "/login" in res.location

    fresh_browser = TestApp(testapp.app)
    assert "did not match" in login(fresh_browser, user, password=PASSWORD, expect_success=False).text
    login(fresh_browser, user, password=NEW_PASSWORD)
    assert "password.changed" in audit_actions(db, actor_id=user.id)


@pytest.mark.parametrize("current, new, confirm, message", [
    ("wrong password here", NEW_PASSWORD, NEW_PASSWORD, "Your current password is not correct."),
    (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "do not match"),
    (PASSWORD, "short", "short", "Use at least"),
    (PASSWORD, "password123", "password123", "too common"),
    (PASSWORD, PASSWORD, PASSWORD, "differs from the current one"),
])
def test_refused_password_change_says_why_and_keeps_the_old_password(testapp, make, login, db,
                                                                      current, new, confirm, message):
    user = make.contact()
    login(testapp, user)
    res = change_password_form(testapp, current, new, confirm)
    assert res.status_int == 200
    assert message in res.text
    assert fresh(db, user).check_password(PASSWORD)
    assert audit_actions(db, action="password.changed") == []


# --- notification preferences ------------------------------------------------------------------------
# Offered by the features that send optional email: see tests/test_notification_preferences.py.

def test_without_optional_emails_the_notifications_page_says_so(testapp, make, login):
    for key in ("orders", "invoices"):  # the built-in features that send optional email (returns and
        settings.set_feature(key, False)  # shipments need orders: off with them)
    login(testapp, make.contact())
    res = testapp.get("/account/notifications")
    assert "notifications" not in res.forms
    assert "no optional emails to choose from" in res.text


# --- several companies -------------------------------------------------------------------------------

def test_contact_of_two_companies_sees_both_and_switches(testapp, make, login):
    first = make.company(name="Alpha Tools")
    second = make.company(name="Beta Supplies")
    user = make.contact(first, role="Buyer")
    make.membership(user, second, role="Viewer")
    make.order(second, customer_reference="BETA-REF-1")
    login(testapp, user)

    res = testapp.get("/account")
    rows = res.html.select("main table tbody tr")
    assert [r.find("td").get_text(" ", strip=True).split(" C-")[0] for r in rows] == ["Alpha Tools", "Beta Supplies"]
    assert "Working for this company" in rows[0].get_text()
    assert "BETA-REF-1" not in testapp.get("/orders/").text

    res = res.forms[f"switch-{second.id}"].submit().follow()
    res = res.follow() if res.status_int == 302 else res
    assert "You are now working for Beta Supplies." in res.text
    assert "BETA-REF-1" in testapp.get("/orders/").text
    assert "Viewer" in testapp.get("/account").html.select("main table tbody tr")[1].get_text()


def test_switching_to_a_company_one_does_not_belong_to_is_404(testapp, make, login):
    user = make.contact(make.company(name="Alpha Tools"))
    stranger = make.company(name="Gamma")
    login(testapp, user)
    form = testapp.get("/account").forms["profile"]
    testapp.post("/company/switch", {"csrf_token": form["csrf_token"].value, "company_id": stranger.id}, status=404)
    dashboard = testapp.get("/dashboard").text
    assert "Alpha Tools" in dashboard and "Gamma" not in dashboard


# --- address book: through the pages -----------------------------------------------------------------

def fill_address(form, **values):
    defaults = {"kind": "shipping", "label": "Warehouse", "line1": "Dock Road 5", "postcode": "1011 AB",
                "city": "Amsterdam", "country": "NL"}
    defaults.update(values)
    for key, value in defaults.items():
        form[key] = value
    return form


def test_buyer_adds_addresses_and_the_first_of_a_kind_becomes_default(testapp, make, login, db):
    company = make.company()
    login(testapp, make.contact(company, role="Buyer"))
    res = testapp.get("/account/addresses")
    assert "No shipping addresses yet." in res.text
    res = fill_address(res.click("Add an address").forms["address"]).submit().follow()
    assert "Address Warehouse added." in res.text
    form = fill_address(testapp.get("/account/addresses/new").forms["address"], label="Head office",
                        line1="Canal 1", kind="shipping")
    form["is_default"] = True
    res = form.submit().follow()
    table = res.html.find(id="shipping-addresses")
    defaults = [row.find_all("td")[0].text for row in table.tbody.find_all("tr") if "Default" in row.text]
    assert defaults == ["Head office"]
    book = addresses.addresses_of(company)
    assert [(a.label, a.is_default) for a in book] == [("Head office", True), ("Warehouse", False)]
    assert audit_actions(db, action="address.added", company_id=company.id) == ["address.added"] * 2


def test_make_default_edit_and_delete(testapp, make, login, db):
    company = make.company()
    first = make.address(company, kind=AddressKind.billing, label="Old office", is_default=True)
    second = make.address(company, kind=AddressKind.billing, label="New office", line1="Harbour 9")
    login(testapp, make.contact(company, role="Admin"))
    res = testapp.get("/account/addresses").forms[f"default-{second.id}"].submit().follow()
    assert "New office is now the default billing address." in res.text
    assert (fresh(db, first).is_default, fresh(db, second).is_default) == (False, True)

    form = testapp.get(f"/account/addresses/{first.id}/edit").forms["address"]
    assert form["kind"].value == "billing" and form["line1"].value == "Main Street 1"
    form["city"] = "Rotterdam"
    res = form.submit().follow()
    assert "Rotterdam" in res.text

    res = testapp.get(f"/account/addresses/{second.id}/delete")
    assert "another billing address becomes the default" in res.text
    res = res.forms["delete-address"].submit().follow()
    assert "Address New office deleted. Old office is now the default billing address." in res.text
    assert db.session.get(Address, second.id) is None
    assert fresh(db, first).is_default
    assert {"address.default_set", "address.updated", "address.deleted"} <= set(audit_actions(db))


@pytest.mark.parametrize("values, message", [
    ({"city": ""}, "Enter the city."),
    ({"line1": ""}, "Enter the street and number."),
    ({"country": "Netherlands"}, "Enter the country as a two-letter code"),
    ({"country": "1X"}, "two-letter code"),
])
def test_bad_address_shows_a_message_and_adds_nothing(testapp, make, login, db, values, message):
    company = make.company()
    login(testapp, make.contact(company, role="Buyer"))
    res = fill_address(testapp.get("/account/addresses/new").forms["address"], **values).submit()
    assert res.status_int == 200
    assert message in res.text
    assert addresses.addresses_of(company) == []


def test_deleting_an_address_on_an_order_keeps_it_for_the_order_only(testapp, make, login, db):
    company = make.company()
    address = make.address(company, label="Depot", line1="Depot Lane 4", is_default=True)
    other = make.address(company, label="Yard", line1="Yard Road 1")
    order = make.order(company, shipping_address_id=address.id)
    login(testapp, make.contact(company, role="Buyer"))
    res = testapp.get(f"/account/addresses/{address.id}/delete").forms["delete-address"].submit().follow()
    assert "Address Depot removed from your address book. The orders that used it still show it." in res.text
    assert "Yard is now the default shipping address." in res.text
    assert "Depot Lane 4" not in res.html.find(id="shipping-addresses").get_text()
    assert [a.id for a in addresses.addresses_of(company)] == [other.id]
    db.session.expire_all()
    assert db.session.get(type(order), order.id).shipping_address.line1 == "Depot Lane 4"
    testapp.get(f"/account/addresses/{address.id}/edit", status=404)  # out of the book for good


def test_editing_an_address_on_an_order_leaves_the_order_as_it_was(testapp, make, login, db):
    company = make.company()
    address = make.address(company, label="Depot", line1="Depot Lane 4", is_default=True)
    order = make.order(company, shipping_address_id=address.id)
    login(testapp, make.contact(company, role="Buyer"))
    form = testapp.get(f"/account/addresses/{address.id}/edit").forms["address"]
    form["line1"] = "New Depot Street 10"
    res = form.submit().follow()
    assert "Address saved." in res.text
    [current] = addresses.addresses_of(company)
    assert (current.line1, current.label, current.is_default) == ("New Depot Street 10", "Depot", True)
    assert current.id != address.id
    db.session.expire_all()
    assert db.session.get(type(order), order.id).shipping_address.line1 == "Depot Lane 4"


def test_editing_an_address_no_order_uses_changes_it_in_place(testapp, make, login, db):
    company = make.company()
    address = make.address(company, label="Depot", line1="Depot Lane 4")
    login(testapp, make.contact(company, role="Buyer"))
    form = testapp.get(f"/account/addresses/{address.id}/edit").forms["address"]
    form["line1"] = "New Depot Street 10"
    form.submit().follow()
    assert [(a.id, a.line1) for a in addresses.addresses_of(company)] == [(address.id, "New Depot Street 10")]


def test_viewer_sees_the_address_book_but_cannot_change_it(testapp, make, login, db):
    company = make.company()
    address = make.address(company, label="Depot", is_default=True)
    login(testapp, make.contact(company, role="Viewer"))
    res = testapp.get("/account/addresses")
    assert "Depot" in res.text
    assert "Add an address" not in res.text and "Edit" not in res.text
    testapp.get("/account/addresses/new", status=403)
    testapp.get(f"/account/addresses/{address.id}/edit", status=403)


def test_another_companys_address_is_404_for_every_action(testapp, make, login, db):
    mine, theirs = make.company(), make.company()
    foreign = make.address(theirs, label="Their depot", city="Berlin", country="DE")
    login(testapp, make.contact(mine, role="Admin"))
    assert "Their depot" not in testapp.get("/account/addresses").text
    testapp.get(f"/account/addresses/{foreign.id}/edit", status=404)
    testapp.get(f"/account/addresses/{foreign.id}/delete", status=404)
    token = testapp.get("/account/addresses/new").forms["address"]["csrf_token"].value
    for action in ("edit", "delete", "default"):
        testapp.post(f"/account/addresses/{foreign.id}/{action}", {"csrf_token": token, "city": "Hacked",
                                                                  "line1": "x", "kind": "billing",
                                                                  "country": "NL"}, status=404)
    foreign = fresh(db, foreign)
    assert (foreign.city, foreign.is_default) == ("Berlin", False)


# --- address book: the service ----------------------------------------------------------------------

def test_only_one_default_per_kind_per_company(make, db):
    one, other = make.company(), make.company()
    theirs = addresses.add(other, AddressData(kind="shipping", line1="Elsewhere 1", city="Gent", country="BE"),
                           by=Actor.system())
    a = addresses.add(one, AddressData(kind="shipping", line1="A 1", city="Utrecht"), by=Actor.system())
    b = addresses.add(one, AddressData(kind="shipping", line1="B 1", city="Utrecht", is_default=True),
                      by=Actor.system())
    bill = addresses.add(one, AddressData(kind="billing", line1="C 1", city="Utrecht"), by=Actor.system())
    db.session.commit()
    assert (a.is_default, b.is_default, bill.is_default, theirs.is_default) == (False, True, True, True)
    addresses.set_default(a, by=Actor.system())
    db.session.commit()
    assert [x.is_default for x in (fresh(db, a), fresh(db, b), fresh(db, bill), fresh(db, theirs))] == [
        True, False, True, True]


def test_moving_the_default_to_the_other_kind_promotes_a_replacement(make, db):
    company = make.company()
    a = addresses.add(company, AddressData(kind="shipping", line1="A 1", city="Utrecht"), by=Actor.system())
    b = addresses.add(company, AddressData(kind="shipping", line1="B 1", city="Utrecht"), by=Actor.system())
    addresses.update_address(a, AddressData(kind="billing", line1="A 1", city="Utrecht"), by=Actor.system())
    db.session.commit()
    assert (fresh(db, a).kind, fresh(db, a).is_default, fresh(db, b).is_default) == (
        AddressKind.billing, True, True)


def test_address_service_rejects_unknown_kind(make, db):
    with pytest.raises(AddressError, match="billing or shipping"):
        addresses.add(make.company(), AddressData(kind="postal", line1="A", city="B"), by=Actor.system())


def test_profile_service_rules(make, db):
    user = make.contact(name="Ann")
    with pytest.raises(AccountError, match="at most 120"):
        accounts.update_profile(user, name="x" * 121, phone=None, by=Actor.of(user))
    assert accounts.update_profile(user, name="  Ann  ", phone="", by=Actor.of(user)) == []
    assert db.session.get(User, user.id).name == "Ann"


# --- moving between the account pages ------------------------------------------------------------------

def _account_tabs(res) -> list[tuple[str, bool]]:
    nav = res.html.find("nav", attrs={"aria-label": "Your account"})
    return [(a.get_text(strip=True), a.get("aria-current") == "page") for a in nav.find_all("a")]


@pytest.mark.parametrize(("path", "current"), [("/account", "Profile"), ("/account/password", "Password"),
                                               ("/account/notifications", "Notifications"),
                                               ("/account/addresses", "Address book"),
                                               ("/company/users", "Company users")])
def test_every_account_page_has_the_same_tabs_with_its_own_marked(testapp, make, login, path, current):
    """Orders, shipments and invoices send optional email, so the Notifications tab is there."""
    login(testapp, make.contact(role="Admin"))
    tabs = _account_tabs(testapp.get(path))
    assert [label for label, _ in tabs] == ["Profile", "Password", "Notifications", "Address book",
                                            "Company users"]
    assert [label for label, marked in tabs if marked] == [current]


def test_a_buyer_has_no_company_users_tab(testapp, make, login):
    login(testapp, make.contact(role="Buyer"))
    assert "Company users" not in [label for label, _ in _account_tabs(testapp.get("/account"))]
