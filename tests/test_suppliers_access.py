"""Supplier contacts see the supplier side; a contact can be customer and supplier user at once."""
from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


def nav_labels(res) -> list[str]:
    nav = res.html.find("nav", attrs={"aria-label": "Main"})
    return [a.get_text(strip=True) for a in nav.find_all("a")] if nav else []


@pytest.fixture
def supplier_nav(app):
    return app.extensions["portal_features"].get("supplier").nav[0].label


@pytest.fixture
def orders_nav(app):
    return app.extensions["portal_features"].get("orders").nav[0].label


def landed(res):
    """Follow redirects to the page a person ends up on."""
    while res.status_int in (301, 302, 303):
        res = res.follow()
    return res


def sign_in(testapp, user):
    form = testapp.get("/login").forms["login"]
    form["email"], form["password"] = user.email, PASSWORD
    res = form.submit()
    assert res.status_int == 302
    return res


def test_supplier_contact_sees_the_supplier_side_and_not_the_customer_dashboard(testapp, make, db, supplier_nav,
                                                                                 orders_nav):
    steel = make.supplier(name="Steel Supplier")
    other = make.supplier(name="Other Supplier")
    mine = make.purchase_order(steel)
    theirs = make.purchase_order(other)
    sign_in(testapp, make.contact(steel, role="Viewer"))

    res = testapp.get("/")
    assert res.html.find("h1").text == "Steel Supplier"
    assert nav_labels(res) == [supplier_nav]
    assert "Dashboard" not in nav_labels(res) and orders_nav not in nav_labels(res)
    res = res.click(href="/supplier/$", index=0)
    assert mine.number in res.text and theirs.number not in res.text
    testapp.get(f"/supplier/purchase-orders/{theirs.id}", status=404)
    testapp.get("/dashboard", status=404)
    testapp.get("/orders/", status=404)


def test_supplier_contact_lands_on_the_supplier_side_after_signing_in(testapp, make):
    steel = make.supplier(name="Steel Supplier")
    res = landed(sign_in(testapp, make.contact(steel, role="Viewer")))
    assert res.html.find("h1").text == "Steel Supplier"


def test_company_that_is_customer_and_supplier_shows_both_sides(testapp, make, login, supplier_nav, orders_nav):
    both = make.company(name="Both Ways", is_supplier=True)
    po = make.purchase_order(both)
    order = make.order(both)
    res = landed(login(testapp, make.contact(both, role="Viewer")))
    assert res.html.find("h1").text == "Both Ways"  # the customer dashboard
    assert {"Dashboard", orders_nav, supplier_nav} <= set(nav_labels(res))
    assert order.number in testapp.get("/orders/").text
    assert po.number in testapp.get("/supplier/").text


def test_contact_of_a_customer_and_a_separate_supplier_switches_sides(testapp, make, login, supplier_nav,
                                                                      orders_nav):
    customer = make.company(name="Alpha Customer")
    supplier = make.supplier(name="Zulu Supplier")
    order = make.order(customer)
    po = make.purchase_order(supplier)
    user = make.contact(customer, role="Buyer")
    make.membership(user, supplier, role="Viewer")

    res = landed(login(testapp, user))
    assert res.html.find("h1").text == "Alpha Customer"
    assert orders_nav in nav_labels(res) and supplier_nav not in nav_labels(res)
    testapp.get("/supplier/", status=404)

    res = landed(testapp.get("/account").forms[f"switch-{supplier.id}"].submit())
    assert "You are now working for Zulu Supplier." in res.text
    assert res.html.find("h1").text == "Zulu Supplier"
    assert nav_labels(res) == [supplier_nav]
    assert po.number in testapp.get("/supplier/").text
    testapp.get("/dashboard", status=404)
    testapp.get(f"/orders/{order.id}", status=404)

    # And back, with the company menu in the header.
    [form] = [f for f in res.forms.values() if f.action.endswith("/company/switch")]
    form["company_id"] = str(customer.id)
    res = landed(form.submit())
    assert res.html.find("h1").text == "Alpha Customer"
    assert order.number in testapp.get("/orders/").text
