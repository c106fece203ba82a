"""What staff see of the shop in the back office: credit approvals to decide, quote requests to price,
and the credit-check setting."""
from __future__ import annotations

from sqlalchemy import select
from webtest.forms import Text

from portal import settings
from portal.models import OrderStatus, OutboxEmail, Quote, QuoteStatus
from tests.fixtures_admin import submit_edit
from tests.shop_ordering import add_to_cart, orders_of, place, reserved, shop_world


def _act(admin, listing_url: str, name: str, ids):
    listing = admin.get(listing_url)
    form = listing.forms["action_form"]
    form["action"] = name
    for n, object_id in enumerate(ids):
        field = Text(form, "input", "rowid", 1000 + n, value=str(object_id))
        form.fields.setdefault("rowid", []).append(field)
        form.field_order.append(("rowid", field))
    return form.submit().follow()


def test_staff_approve_or_reject_orders_that_wait_for_credit_and_the_buyers_hear(admin, make, db):
    shop = shop_world(make)
    over = make.order(shop.company, status=OrderStatus.pending_approval, approval_reason="credit",
                      placed_by=shop.buyer)
    other = make.order(shop.company, status=OrderStatus.pending_approval, approval_reason="credit",
                       placed_by=shop.buyer)
    customers = make.order(shop.company, status=OrderStatus.pending_approval, approval_reason="customer")
    listing = admin.get("/admin/credit-approval/")
    assert over.number in listing.text and other.number in listing.text and customers.number not in listing.text

    page = _act(admin, "/admin/credit-approval/", "approve", [over.id])
    assert f"Approved: {over.number}. The buyers are emailed." in page.text
    _act(admin, "/admin/credit-approval/", "reject", [other.id, customers.id])
    statuses = {o.number: o.status for o in orders_of(shop.company)}
    assert statuses == {over.number: OrderStatus.submitted, other.number: OrderStatus.rejected,
                        customers.number: OrderStatus.pending_approval}  # the customer's approvers decide that one
    subjects = sorted(e.subject for e in db.session.execute(
        select(OutboxEmail).filter_by(kind="order_approval_decided")).scalars())
    assert subjects == [f"Order {over.number} approved", f"Order {other.number} rejected"]


def test_staff_find_quote_requests_and_choose_the_credit_rule(admin, make, db):
    shop = shop_world(make)
    db.session.add(Quote(company_id=shop.company.id, status=QuoteStatus.requested, title="Quote request from Bea"))
    db.session.commit()
    assert "Quote request from Bea" in admin.get("/admin/quote/?flt1_status_equals=requested").text
    form = admin.get("/admin/settings/").forms["settings"]
    form["shop.credit_check"] = "approval"
    form.submit().follow()
    assert settings.get("shop.credit_check") == "approval"


def test_staff_cancelling_a_shop_order_gives_its_reserved_stock_back(admin, make, testapp, login):
    """An order placed in the shop reserved its stock; staff ending it in the back office release it,
    once; an order staff entered themselves reserved nothing and releases nothing."""
    shop = shop_world(make)
    buyer = type(testapp)(testapp.app)
    login(buyer, shop.buyer)
    add_to_cart(buyer, shop.products[0], "4")
    place(buyer)
    order = orders_of(shop.company)[0]
    assert reserved(shop.products[0]) == 4
    submit_edit(admin, "sales-order", order.id, status="cancelled")
    assert reserved(shop.products[0]) == 0
    submit_edit(admin, "sales-order", order.id, notes="cancelled by phone")  # saving it again releases nothing more
    assert reserved(shop.products[0]) == 0
    typed_in = make.order(shop.company, status=OrderStatus.submitted)
    submit_edit(admin, "sales-order", typed_in.id, status="cancelled")
    assert reserved(shop.products[0]) == 0
