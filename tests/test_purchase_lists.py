"""Purchase lists over HTTP (seed 001 "Saved lists"): making lists, adding from a product, the cart and a past
order, sharing read or edit, private and foreign lists, roles, hidden products, into the cart."""
from __future__ import annotations

from decimal import Decimal

import pytest
from flask import g, render_template_string
from flask_login import login_user

from portal import settings
from portal.models import ListSharing, ProductVisibility
from tests.purchase_list_helpers import flashes, lines_of, lists_of, ordered
from tests.shop_ordering import cart_items, csrf, shop_world


@pytest.fixture
def shop(make):
    return shop_world(make, prices=("10.00", "25.00", "4.00"))


def _colleague(make, shop, role="Buyer"):
    return make.contact(shop.company, role=role, name=f"Colin {role}")


# --- making lists ---------------------------------------------------------------------------------------

def test_a_buyer_makes_a_private_list_and_finds_it_on_the_lists_page(testapp, make, login, shop):
    login(testapp, shop.buyer)
    page = testapp.get("/lists/")
    assert "No lists yet" in page.text
    form = page.forms["new-list"]
    assert form["sharing"].value == "private"
    form["name"] = "  Site  Rotterdam "
    page = form.submit().follow()
    assert page.html.h1.get_text(strip=True) == "Site Rotterdam"
    assert "Only you" in testapp.get("/lists/").html.select_one("#lists").get_text()
    [plist] = lists_of(shop.company)
    assert (plist.owner_id, plist.sharing) == (shop.buyer.id, ListSharing.private)


def test_a_list_without_a_name_is_refused_with_a_message(testapp, make, login, shop):
    login(testapp, shop.buyer)
    form = testapp.get("/lists/").forms["new-list"]
    form["name"] = "   "
    page = form.submit(status=400)
    assert page.html.select_one("#list-name-error").get_text(strip=True).startswith("Give the list a name")
    assert lists_of(shop.company) == []


def test_the_owner_renames_shares_and_deletes_a_list(testapp, make, login, shop):
    plist = make.purchase_list(shop.company, owner=shop.buyer, sharing=ListSharing.private, name="Old name")
    login(testapp, shop.buyer)
    page = testapp.get(f"/lists/{plist.id}")
    form = page.forms["rename-list"]
    form["name"] = "Warehouse refit"
    page = form.submit().follow()
    assert page.html.h1.get_text(strip=True) == "Warehouse refit"
    form = page.forms["share-list"]
    form["sharing"] = "edit"
    page = form.submit().follow()
    assert "colleagues may also change it" in page.html.select_one("#sharing").get_text()
    page = page.forms["delete-list"].submit().follow()
    assert "The list “Warehouse refit” is deleted." in flashes(page)
    assert lists_of(shop.company) == []


# --- adding from a product, the cart, a past order ------------------------------------------------------------

def test_adding_a_product_makes_a_new_list_or_adds_to_a_chosen_one_and_goes_back(testapp, make, login, shop):
    widget, other, _ = shop.products
    login(testapp, shop.buyer)
    token = csrf(testapp.get("/lists/"))
    res = testapp.post("/lists/add", {"csrf_token": token, "product_id": widget.id, "quantity": "5",
                                      "list_id": "new", "new_name": "Project X", "note": "for the lobby",
                                      "next": "/shop/"})
    assert res.location.endswith("/shop/")
    [plist] = lists_of(shop.company)
    assert plist.sharing == ListSharing.private
    testapp.post("/lists/add", {"csrf_token": token, "product_id": other.id, "quantity": "2", "list_id": plist.id})
    testapp.post("/lists/add", {"csrf_token": token, "product_id": widget.id, "quantity": "1", "list_id": plist.id})
    assert lines_of(plist) == [(widget.id, 6, "for the lobby"), (other.id, 2, "")]
    # off-site targets are ignored: back to the list
    res = testapp.post("/lists/add", {"csrf_token": token, "product_id": other.id, "quantity": "1",
                                      "list_id": plist.id, "next": "https://evil.example/"})
    assert res.location.endswith(f"/lists/{plist.id}")


def test_a_hidden_product_cannot_be_put_on_a_list(testapp, make, login, shop):
    hidden = make.product(name="Secret", visibility=ProductVisibility.hidden)
    plist = make.purchase_list(shop.company, owner=shop.buyer)
    login(testapp, shop.buyer)
    testapp.post("/lists/add", {"csrf_token": csrf(testapp.get("/lists/")), "product_id": hidden.id,
                                "quantity": "1", "list_id": plist.id}, status=404)
    assert lines_of(plist) == []


def test_the_product_partial_offers_the_lists_the_person_may_change_and_posts_to_add(app, make, shop):
    widget = shop.products[0]
    make.purchase_list(shop.company, owner=shop.buyer, name="Mine")
    make.purchase_list(shop.company, owner=_colleague(make, shop), sharing=ListSharing.read, name="Read only")
    make.purchase_list(shop.company, owner=None, sharing=ListSharing.edit, name="Team list")
    html = _render_partial(app, shop.buyer, product=widget, next="/shop/?q=w")
    assert 'action="/lists/add"' in html and f'name="product_id" value="{widget.id}"' in html
    assert ">Mine<" in html and ">Team list<" in html and "Read only" not in html
    assert 'name="next" value="/shop/?q=w"' in html
    settings.set_feature("purchase_lists", False)
    assert "form" not in _render_partial(app, shop.buyer, product=widget)
    settings.set_feature("purchase_lists", True)
    viewer = _colleague(make, shop, role="Viewer")
    assert "form" not in _render_partial(app, viewer, product=widget)


def _render_partial(app, user, **context) -> str:
    """The partial as the catalog's product page will include it, for a signed-in contact."""
    with app.test_request_context("/shop/"):
        g.__dict__.clear()  # the test's app context is reused: no acting company cached from before
        login_user(user)
        return render_template_string('{% include "purchase_lists/_add_to_list.html" %}', **context)
