"""Purchase lists over HTTP (seed 001 "Saved lists"): making lists, adding from a product, the cart and a past
order, sharing read or edit, private and foreign lists, roles, hidden products, into the cart."""
from __future__ import annotations

from decimal import Decimal

import pytest
from flask import g, render_template_string
from flask_login import login_user
from sqlalchemy import select

from portal import settings
from portal.models import AuditLog, ListSharing, OrderStatus, ProductVisibility, PurchaseListItem
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
    form = page.forms["rename-list"]
    form["name"] = ""
    refused = form.submit(status=400)
    assert refused.html.select_one("#rename-error").get_text(strip=True).startswith("Give the list a name")
    page = testapp.get(f"/lists/{plist.id}")
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


def test_a_past_orders_products_go_on_a_list_and_what_is_gone_is_reported(testapp, make, login, shop, db):
    widget, other, _ = shop.products
    gone = make.product(name="Discontinued bracket")
    order = ordered(shop.company, [(widget, "12"), (gone, "3"), (other, "2")])
    gone.visibility = ProductVisibility.hidden
    db.session.commit()
    login(testapp, shop.buyer)
    page = testapp.get(f"/orders/{order.id}")
    assert page.html.select_one("#add-order-to-list form"), "the order page offers adding its products to a list"
    form = next(f for f in page.forms.values() if f.action.endswith(f"/lists/from-order/{order.id}"))
    assert form["list_id"].value == "new"
    form["new_name"] = "Like order " + order.number
    page = form.submit().follow()
    assert "Not added: Discontinued bracket: no longer available." in flashes(page)
    [plist] = lists_of(shop.company)
    assert lines_of(plist) == [(widget.id, 12, ""), (other.id, 2, "")]
    assert "Discontinued bracket" not in page.html.select_one("#list-lines").get_text()


def test_the_order_page_offers_lists_only_while_the_feature_is_on_and_to_those_who_use_lists(
        testapp, make, login, shop):
    order = ordered(shop.company, [(shop.products[0], "1")])
    login(testapp, shop.buyer)
    assert testapp.get(f"/orders/{order.id}").html.select_one("#add-order-to-list")
    settings.set_feature("purchase_lists", False)
    assert testapp.get(f"/orders/{order.id}").html.select_one("#add-order-to-list") is None
    settings.set_feature("purchase_lists", True)
    viewer = _colleague(make, shop, role="Viewer")
    testapp.reset()
    login(testapp, viewer)
    page = testapp.get(f"/orders/{order.id}")
    assert page.html.select_one("#add-order-to-list") is None
    testapp.post(f"/lists/from-order/{order.id}", {"csrf_token": csrf(page), "new_name": "x"}, status=403)


def test_another_companys_order_cannot_be_copied_to_a_list(testapp, make, login, shop):
    other_company = make.company(name="Rival BV", price_tier=make.tier())
    order = ordered(other_company, [(shop.products[0], "1")])
    login(testapp, shop.buyer)
    testapp.post(f"/lists/from-order/{order.id}", {"csrf_token": csrf(testapp.get("/lists/")), "new_name": "x"},
                 status=404)
    assert lists_of(shop.company) == []


def test_the_cart_is_saved_as_a_list(testapp, make, login, shop):
    widget, other, _ = shop.products
    plist = make.purchase_list(shop.company, owner=shop.buyer, name="Monthly", lines=((widget, "1"),))
    login(testapp, shop.buyer)
    token = csrf(testapp.get("/shop/cart"))
    for product, qty in ((widget, "4"), (other, "2")):
        testapp.post("/shop/cart/add", {"csrf_token": token, "product_id": product.id, "quantity": qty})
    page = testapp.get("/shop/cart")
    form = next(f for f in page.forms.values() if f.action.endswith("/lists/from-cart"))
    form["list_id"] = str(plist.id)
    page = form.submit().follow()
    assert "The products of your cart are on the list “Monthly”." in flashes(page)
    assert lines_of(plist) == [(widget.id, 5, ""), (other.id, 2, "")]


# --- sharing -----------------------------------------------------------------------------------------------

def test_a_list_shared_to_read_shows_no_edit_controls_and_refuses_edits(testapp, make, login, shop):
    widget = shop.products[0]
    owner = _colleague(make, shop)
    plist = make.purchase_list(shop.company, owner=owner, sharing=ListSharing.read, name="Owners list",
                               lines=((widget, "3", "blue ones"),))
    login(testapp, shop.buyer)
    assert "Owners list" in testapp.get("/lists/").text
    page = testapp.get(f"/lists/{plist.id}")
    assert page.html.select_one("#read-only")
    assert not page.html.select("input[name^=quantity-], input[name^=note-], #manage-heading, button[value^=up]")
    assert page.html.select_one("#cart-all"), "a read-only list still goes into the cart"
    token = csrf(page)
    item_id = page.html.select_one("input[name=item_id]")["value"]
    testapp.post(f"/lists/{plist.id}/lines", {"csrf_token": token, "action": "save",
                                              f"quantity-{item_id}": "9", f"note-{item_id}": ""}, status=403)
    testapp.post(f"/lists/{plist.id}/lines", {"csrf_token": token, "action": f"remove:{item_id}"}, status=403)
    testapp.post(f"/lists/{plist.id}/rename", {"csrf_token": token, "name": "Mine now"}, status=403)
    testapp.post(f"/lists/{plist.id}/sharing", {"csrf_token": token, "sharing": "edit"}, status=403)
    testapp.post(f"/lists/{plist.id}/delete", {"csrf_token": token}, status=403)
    testapp.post("/lists/add", {"csrf_token": token, "product_id": widget.id, "quantity": "1",
                                "list_id": plist.id}, status=403)
    assert lines_of(plist) == [(widget.id, 3, "blue ones")]
    assert lists_of(shop.company)[0].name == "Owners list"


def test_a_list_shared_for_editing_is_changed_by_colleagues_but_only_the_owner_manages_it(
        testapp, make, login, shop):
    widget, other, _ = shop.products
    owner = _colleague(make, shop)
    plist = make.purchase_list(shop.company, owner=owner, sharing=ListSharing.edit,
                               lines=((widget, "3"), (other, "1")))
    login(testapp, shop.buyer)
    page = testapp.get(f"/lists/{plist.id}")
    assert page.html.select_one("#manage-heading") is None
    form = page.forms["list-lines-form"]
    first = page.html.select("input[name=item_id]")[0]["value"]
    form[f"quantity-{first}"] = "7"
    form[f"note-{first}"] = "for floor 2"
    form.submit("action", value="save").follow()
    assert lines_of(plist) == [(widget.id, 7, "for floor 2"), (other.id, 1, "")]
    testapp.post(f"/lists/{plist.id}/delete", {"csrf_token": csrf(page)}, status=403)


def test_a_colleagues_private_list_and_another_companys_list_are_not_found(testapp, make, login, shop):
    widget = shop.products[0]
    private = make.purchase_list(shop.company, owner=_colleague(make, shop), sharing=ListSharing.private,
                                 name="Secret plans", lines=((widget, "1"),))
    rival = make.company(name="Rival BV")
    foreign = make.purchase_list(rival, owner=make.contact(rival), sharing=ListSharing.edit, name="Rival list")
    login(testapp, shop.buyer)
    assert "Secret plans" not in testapp.get("/lists/").text
    token = csrf(testapp.get("/lists/"))
    for plist in (private, foreign):
        testapp.get(f"/lists/{plist.id}", status=404)
        for path, data in (("lines", {"action": "cart:all"}), ("rename", {"name": "x"}), ("delete", {}),
                           ("sharing", {"sharing": "read"})):
            testapp.post(f"/lists/{plist.id}/{path}", {"csrf_token": token, **data}, status=404)
        testapp.post("/lists/add", {"csrf_token": token, "product_id": widget.id, "quantity": "1",
                                    "list_id": plist.id}, status=404)
    assert cart_items(shop.buyer) == []


# --- roles -----------------------------------------------------------------------------------------------------

def test_a_viewer_reads_shared_lists_and_frequent_products_but_changes_nothing(testapp, make, login, shop):
    widget = shop.products[0]
    plist = make.purchase_list(shop.company, owner=shop.buyer, sharing=ListSharing.edit, lines=((widget, "2"),))
    viewer = _colleague(make, shop, role="Viewer")
    login(testapp, viewer)
    page = testapp.get("/lists/")
    assert "new-list" not in page.forms
    page = testapp.get(f"/lists/{plist.id}")
    assert widget.name in page.text and "list-lines-form" not in page.forms
    assert testapp.get("/lists/frequent").status_int == 200
    token = csrf(testapp.get("/account"))
    testapp.post("/lists/", {"csrf_token": token, "name": "Mine"}, status=403)
    testapp.post(f"/lists/{plist.id}/lines", {"csrf_token": token, "action": "cart:all"}, status=403)
    testapp.post("/lists/frequent/cart", {"csrf_token": token, "which": "all"}, status=403)


def test_finance_has_no_lists(testapp, make, login, shop):
    login(testapp, _colleague(make, shop, role="Finance"))
    testapp.get("/lists/", status=403)
    testapp.get("/lists/frequent", status=403)
    assert "/lists/" not in testapp.get("/dashboard").text


# --- into the cart -------------------------------------------------------------------------------------------

def test_the_whole_list_goes_into_the_cart_and_what_cannot_is_reported_by_name(testapp, make, login, shop, db):
    widget, other, cheap = shop.products
    gone = make.product(name="Old hinge")
    cheap.min_order_qty = Decimal(10)
    plist = make.purchase_list(shop.company, owner=shop.buyer,
                               lines=((widget, "4"), (gone, "1"), (other, "2"), (cheap, "3")))
    gone.visibility = ProductVisibility.hidden
    db.session.commit()
    login(testapp, shop.buyer)
    assert testapp.get("/lists/").html.select_one("#lists td[data-label=Lines]").get_text(strip=True) == "3"
    page = testapp.get(f"/lists/{plist.id}")
    assert "Old hinge" not in page.text, "a hidden product never shows on a list"
    assert page.html.select_one("#unavailable").get_text().startswith("1 product(s)")
    cart_page = page.forms["list-lines-form"].submit("action", value="cart:all").follow()
    assert "2 product(s) are in your cart at today's prices." in flashes(cart_page)
    assert "Not added: Old hinge is no longer available." in flashes(cart_page)
    assert f"Not added: {cheap.name}: the minimum order is 10 pcs." in flashes(cart_page)
    assert [(i.product_id, i.quantity, i.seen_price) for i in cart_items(shop.buyer)] == [
        (widget.id, 4, Decimal("10.00")), (other.id, 2, Decimal("25.00"))]


def test_only_the_ticked_lines_go_into_the_cart(testapp, make, login, shop):
    widget, other, cheap = shop.products
    plist = make.purchase_list(shop.company, owner=shop.buyer, lines=((widget, "4"), (other, "2"), (cheap, "5")))
    login(testapp, shop.buyer)
    page = testapp.get(f"/lists/{plist.id}")
    form = page.forms["list-lines-form"]
    boxes = form.fields["item_id"]
    boxes[1].checked = True
    boxes[2].checked = True
    form.submit("action", value="cart:selected").follow()
    assert [(i.product_id, i.quantity) for i in cart_items(shop.buyer)] == [(other.id, 2), (cheap.id, 5)]
    page = testapp.get(f"/lists/{plist.id}").forms["list-lines-form"].submit("action", value="cart:selected")
    assert "Tick the lines to put in your cart." in flashes(page.follow())


# --- lines ---------------------------------------------------------------------------------------------------

def test_lines_are_moved_removed_and_a_bad_quantity_changes_nothing(testapp, make, login, shop):
    widget, other, cheap = shop.products
    plist = make.purchase_list(shop.company, owner=shop.buyer, lines=((widget, "1"), (other, "2"), (cheap, "3")))
    login(testapp, shop.buyer)
    page = testapp.get(f"/lists/{plist.id}")
    ids = [box["value"] for box in page.html.select("input[name=item_id]")]
    page.forms["list-lines-form"].submit("action", value=f"down:{ids[0]}").follow()
    assert [p for p, _, _ in lines_of(plist)] == [other.id, widget.id, cheap.id]
    page = testapp.get(f"/lists/{plist.id}")
    page.forms["list-lines-form"].submit("action", value=f"up:{ids[2]}").follow()
    assert [p for p, _, _ in lines_of(plist)] == [other.id, cheap.id, widget.id]
    page = testapp.get(f"/lists/{plist.id}")
    page.forms["list-lines-form"].submit("action", value=f"remove:{ids[1]}").follow()
    assert [p for p, _, _ in lines_of(plist)] == [cheap.id, widget.id]
    form = testapp.get(f"/lists/{plist.id}").forms["list-lines-form"]
    form[f"quantity-{ids[0]}"] = "lots"
    form[f"quantity-{ids[2]}"] = "8"
    page = form.submit("action", value="save", status=400)
    assert "“lots” is not a quantity" in page.html.select_one(f"#line-{ids[0]}-error").get_text()
    assert page.forms["list-lines-form"][f"quantity-{ids[0]}"].value == "lots"
    assert lines_of(plist) == [(cheap.id, 3, ""), (widget.id, 1, "")]


def test_the_list_page_costs_the_same_queries_for_many_lines(testapp, make, login, shop, db, count_queries):
    plist = make.purchase_list(shop.company, owner=shop.buyer, lines=((shop.products[0], "1"),))
    url = f"/lists/{plist.id}"
    login(testapp, shop.buyer)
    db.session.expire_all()
    with count_queries() as few:
        testapp.get(url)
    for n in range(12):
        product = make.product(name=f"Extra {n}")
        plist.items.append(PurchaseListItem(product_id=product.id, quantity=Decimal(1), position=n + 2))
    db.session.commit()
    db.session.expire_all()
    with count_queries() as many:
        page = testapp.get(url)
    assert len(page.html.select("#list-lines tbody tr")) == 13
    assert many.count == few.count <= 8, many.statements


# --- frequently ordered -------------------------------------------------------------------------------------

def test_frequently_ordered_lists_the_companys_usual_products_and_puts_them_in_the_cart(
        testapp, make, login, shop, db):
    widget, other, cheap = shop.products
    colleague = _colleague(make, shop)
    for qty in ("6", "6", "2"):
        ordered(shop.company, [(widget, qty), (other, "1")])
    ordered(shop.company, [(other, "1")])
    ordered(shop.company, [(cheap, "500")], status=OrderStatus.rejected)
    login(testapp, colleague)  # the company's history, whoever placed the orders
    page = testapp.get("/lists/frequent")
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in page.html.select("#frequent-lines tbody tr")]
    assert [(r[0], r[1], r[2]) for r in rows] == [(f"{other.sku} {other.name}", "4", "1 pcs"),
                                                  (f"{widget.sku} {widget.name}", "3", "6 pcs")]
    assert cheap.name not in page.text
    form = page.forms["frequent-form"]
    form.fields["product_id"][1].checked = True
    form.submit("which", value="selected").follow()
    assert [(i.product_id, i.quantity) for i in cart_items(colleague)] == [(widget.id, 6)]
    testapp.get("/lists/frequent").forms["frequent-form"].submit("which", value="all")
    assert [(i.product_id, i.quantity) for i in cart_items(colleague)] == [(widget.id, 12), (other.id, 1)]


def test_frequently_ordered_is_empty_for_a_new_customer_and_linked_from_the_lists(testapp, make, login, shop):
    login(testapp, shop.buyer)
    page = testapp.get("/lists/").click(href="/lists/frequent")
    assert "Nothing yet" in page.text and "frequent-form" not in page.forms


def test_a_rep_acting_for_the_customer_keeps_lists_for_it_and_the_change_is_audited(testapp, make, login, shop, db):
    rep = make.rep(allocated=[shop.company], name="Sofia Rep")
    login(testapp, rep)
    testapp.get("/customers").forms[f"act-{shop.company.id}"].submit()
    form = testapp.get("/lists/").forms["new-list"]
    form["name"] = "Suggested for spring"
    form["sharing"] = "read"
    form.submit().follow()
    [plist] = lists_of(shop.company)
    assert plist.owner_id == rep.id
    row = db.session.execute(select(AuditLog).where(AuditLog.action == "purchase_list.created")).scalar_one()
    assert (row.actor_id, row.acting_rep_id, row.company_id) == (rep.id, rep.id, shop.company.id)
    testapp.reset()
    login(testapp, shop.buyer)
    page = testapp.get(f"/lists/{plist.id}")
    assert "Sofia Rep" in page.html.select_one(".meta").get_text()


def test_the_frequently_ordered_page_costs_the_same_queries_for_a_longer_history(
        testapp, make, login, shop, db, count_queries):
    widget, other, cheap = shop.products
    ordered(shop.company, [(widget, "1")])
    login(testapp, shop.buyer)
    db.session.expire_all()
    with count_queries() as few:
        testapp.get("/lists/frequent")
    for n in range(10):
        ordered(shop.company, [(widget, "2"), (other, str(n + 1)), (cheap, "3"), (make.product(), "1")])
    db.session.expire_all()
    with count_queries() as many:
        page = testapp.get("/lists/frequent")
    assert len(page.html.select("#frequent-lines tbody tr")) == 13
    assert many.count == few.count <= 8, many.statements


def test_with_ordering_switched_off_a_list_offers_no_cart(testapp, make, login, shop):
    settings.save({"ordering.allow_orders": False, "ordering.allow_quote_requests": False})
    plist = make.purchase_list(shop.company, owner=shop.buyer, lines=((shop.products[0], "1"),))
    login(testapp, shop.buyer)
    page = testapp.get(f"/lists/{plist.id}")
    assert page.html.select_one("#cart-all") is None and page.html.select_one("#save-lines")
    testapp.post(f"/lists/{plist.id}/lines", {"csrf_token": csrf(page), "action": "cart:all"}, status=403)
    assert cart_items(shop.buyer) == []


def test_the_product_page_adds_the_product_to_a_list(testapp, login, make):
    """The catalog's product page carries the add-to-list form; a Viewer (no lists.use) gets none."""
    make.tier("STD", "Standard", is_default=True)
    company = make.company()
    product = make.product(name="Cordless drill")
    login(testapp, make.contact(company, role="Buyer"))
    page = testapp.get(f"/shop/product/{product.id}")
    form = next(f for f in page.forms.values() if f.action.endswith("/lists/add"))
    form["new_name"] = "Workshop"
    form.submit().follow()
    lists = testapp.get("/lists/")
    assert "Workshop" in lists.text
    viewer = type(testapp)(testapp.app)
    login(viewer, make.contact(company, role="Viewer"))
    page = viewer.get(f"/shop/product/{product.id}")
    assert not [f for f in page.forms.values() if "/lists/" in (f.action or "")]
