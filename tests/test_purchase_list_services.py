"""The purchase-list and frequently-ordered services, called directly (no HTTP)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from portal.extensions import db
from portal.models import ListSharing, OrderStatus, ProductVisibility
from portal.services import frequent_products, purchase_list_cart, purchase_lists
from portal.services.actor import Actor
from tests.purchase_list_helpers import lines_of, ordered
from tests.shop_ordering import cart_items, shop_world


def _actor(user, company) -> Actor:
    return Actor(user=user, company_id=company.id)


@pytest.fixture
def shop(make):
    return shop_world(make, prices=("10.00", "25.00", "4.00"))


# --- who sees and changes a list -------------------------------------------------------------------------

def test_access_follows_owner_and_sharing(make, shop):
    colleague = make.contact(shop.company)
    me, them = _actor(shop.buyer, shop.company), _actor(colleague, shop.company)
    private = make.purchase_list(shop.company, owner=shop.buyer, sharing=ListSharing.private)
    read = make.purchase_list(shop.company, owner=shop.buyer, sharing=ListSharing.read)
    edit = make.purchase_list(shop.company, owner=shop.buyer, sharing=ListSharing.edit)
    orphan = make.purchase_list(shop.company, owner=None, sharing=ListSharing.edit)
    with pytest.raises(purchase_lists.ListNotFound):
        purchase_lists.get(them, shop.company, private.id, may_use=True)
    assert purchase_lists.get(me, shop.company, private.id, may_use=True).may_manage
    seen = purchase_lists.get(them, shop.company, read.id, may_use=True)
    assert (seen.may_edit, seen.may_manage) == (False, False)
    seen = purchase_lists.get(them, shop.company, edit.id, may_use=True)
    assert (seen.may_edit, seen.may_manage) == (True, False)
    seen = purchase_lists.get(them, shop.company, orphan.id, may_use=True)
    assert (seen.may_edit, seen.may_manage) == (True, True)
    assert not purchase_lists.get(me, shop.company, private.id, may_use=False).may_edit  # a Viewer reads only
    assert {s.plist.id for s in purchase_lists.summaries(them, shop.company)} == {read.id, edit.id, orphan.id}
    mine = make.purchase_list(shop.company, owner=colleague, sharing=ListSharing.private, name="Zz last by name")
    assert purchase_lists.summaries(them, shop.company)[0].plist.id == mine.id  # own lists first
    assert {p.id for p in purchase_lists.editable(them, shop.company)} == {edit.id, orphan.id, mine.id}


def test_another_companys_list_is_not_found_even_for_its_shared_lists(make, shop):
    rival = make.company()
    plist = make.purchase_list(rival, sharing=ListSharing.edit)
    with pytest.raises(purchase_lists.ListNotFound):
        purchase_lists.get(_actor(shop.buyer, shop.company), shop.company, plist.id, may_use=True)
    with pytest.raises(purchase_lists.ListNotFound):
        purchase_lists.get(_actor(shop.buyer, shop.company), shop.company, "12abc", may_use=True)


def test_a_read_only_list_refuses_every_change(make, shop):
    widget = shop.products[0]
    plist = make.purchase_list(shop.company, owner=make.contact(shop.company), sharing=ListSharing.read,
                               lines=((widget, "1"),))
    access = purchase_lists.get(_actor(shop.buyer, shop.company), shop.company, plist.id, may_use=True)
    item_id = plist.items[0].id
    for change in (lambda: purchase_lists.update_lines(access, {item_id: (Decimal(5), "")}),
                   lambda: purchase_lists.remove_line(access, item_id),
                   lambda: purchase_lists.move_line(access, item_id, 1),
                   lambda: purchase_lists.rename(access, "Mine"),
                   lambda: purchase_lists.set_sharing(access, ListSharing.private),
                   lambda: purchase_lists.delete(access)):
        with pytest.raises(purchase_lists.ListLocked):
            change()
    with pytest.raises(purchase_lists.ListLocked):
        purchase_lists.target(_actor(shop.buyer, shop.company), shop.company, plist.id, None, may_use=True)


# --- lines ---------------------------------------------------------------------------------------------------

def test_adding_a_product_already_on_the_list_adds_to_its_quantity_and_keeps_the_order(make, shop):
    widget, other, cheap = shop.products
    actor = _actor(shop.buyer, shop.company)
    plist = purchase_lists.create(actor, shop.company, "Fit-out", ListSharing.read)
    purchase_lists.add_products(actor, plist, [(widget, Decimal(2)), (other, Decimal(1))], note="hall")
    purchase_lists.add_products(actor, plist, [(cheap, Decimal(3)), (widget, Decimal("0.5"))])
    db.session.commit()
    assert lines_of(plist) == [(widget.id, Decimal("2.5"), "hall"), (other.id, 1, "hall"), (cheap.id, 3, "")]


def test_names_and_notes_are_checked(make, shop):
    actor = _actor(shop.buyer, shop.company)
    for name in ("", "   ", "x" * 121):
        with pytest.raises(purchase_lists.ListError):
            purchase_lists.create(actor, shop.company, name)
    plist = purchase_lists.create(actor, shop.company, "  Two   spaces ")
    assert plist.name == "Two spaces"
    with pytest.raises(purchase_lists.ListError):
        purchase_lists.add_products(actor, plist, [(shop.products[0], Decimal(1))], note="n" * 256)
    with pytest.raises(purchase_lists.ListError):
        purchase_lists.parse_sharing("everyone")


def test_moving_lines_renumbers_positions_and_stops_at_the_ends(make, shop):
    a, b, c = shop.products
    plist = make.purchase_list(shop.company, owner=shop.buyer, lines=((a, "1"), (b, "1"), (c, "1")))
    access = purchase_lists.get(_actor(shop.buyer, shop.company), shop.company, plist.id, may_use=True)
    ids = {item.product_id: item.id for item in plist.items}
    purchase_lists.move_line(access, ids[a.id], -1)  # already first
    purchase_lists.move_line(access, ids[c.id], -1)
    db.session.commit()
    assert [p for p, _, _ in lines_of(plist)] == [a.id, c.id, b.id]
    with pytest.raises(purchase_lists.ListNotFound):
        purchase_lists.move_line(access, 999999, 1)


# --- into the cart -----------------------------------------------------------------------------------------------

def test_add_to_cart_reports_hidden_products_by_name_and_adds_the_rest_at_todays_prices(make, shop):
    widget, other, _ = shop.products
    gone = make.product(name="Retired clamp")
    plist = make.purchase_list(shop.company, owner=shop.buyer, lines=((widget, "2"), (gone, "1"), (other, "1")))
    gone.visibility = ProductVisibility.hidden
    db.session.commit()
    priced = purchase_list_cart.load(shop.company, plist)
    assert [ln.product.id for ln in priced.lines] == [widget.id, other.id] and priced.unavailable == 1
    assert [ln.line_total for ln in priced.lines] == [Decimal("20.00"), Decimal("25.00")]
    outcome = purchase_list_cart.add_to_cart(_actor(shop.buyer, shop.company), shop.company, plist)
    db.session.commit()
    assert outcome.added == [widget.name, other.name]
    assert outcome.problems == ["Retired clamp is no longer available."]
    assert [(i.product_id, i.quantity) for i in cart_items(shop.buyer)] == [(widget.id, 2), (other.id, 1)]


# --- frequently ordered ---------------------------------------------------------------------------------------

def test_frequently_ordered_ranks_by_orders_with_the_usual_quantity(make, shop, db):
    widget, other, cheap = shop.products
    hidden = make.product(name="Hidden bolt")
    for qty in ("10", "10", "25"):
        ordered(shop.company, [(widget, qty), (hidden, "1")])
    ordered(shop.company, [(other, "3")], days_ago=3)
    ordered(shop.company, [(other, "5"), (widget, "10")], days_ago=2)
    ordered(shop.company, [(cheap, "99")], status=OrderStatus.cancelled)  # never delivered: does not count
    ordered(shop.company, [(cheap, "7")], days_ago=400)  # too long ago
    ordered(make.company(), [(cheap, "1")] * 1)  # another company's
    hidden.visibility = ProductVisibility.hidden
    db.session.commit()
    found = frequent_products.for_company(shop.company, days=180, limit=10)
    assert [(f.product.id, f.times, f.usual_quantity) for f in found] == [(widget.id, 4, 10), (other.id, 2, 5)]
    assert [f.product.id for f in frequent_products.for_company(shop.company, days=180, limit=1)] == [widget.id]
    assert [f.product.id for f in frequent_products.for_company(shop.company, days=500, limit=10)][-1] == cheap.id


def test_the_usual_quantity_is_the_most_frequent_and_the_larger_on_a_tie():
    assert frequent_products.usual([Decimal(5), Decimal("5.000"), Decimal(8)]) == 5
    assert frequent_products.usual([Decimal(5), Decimal(8)]) == 8
