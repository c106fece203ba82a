"""Order approvals: the company Admin's rules, the approvers' queue, decisions, emails, history."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from portal.models import ApprovalDecision, AuditLog, Company, OrderApproval, OrderStatus, OutboxEmail
from portal.services import approvals
from portal.services.actor import Actor
from tests.shop_ordering import add_to_cart, orders_of, place, reserved, shop_world


def _set_rules(client, above="", for_buyers=False):
    form = client.get("/shop/approvals/rules").forms["approval-rules"]
    form["approval_above"] = above
    form["approval_for_buyers"] = for_buyers
    return form.submit()


def test_the_company_admin_sets_the_rules_and_a_buyers_big_order_waits(testapp, make, login, db):
    shop = shop_world(make)
    admin = make.contact(shop.company, role="Admin", name="Ada Admin", email="ada@acme.example")
    login(testapp, admin)
    assert _set_rules(testapp, above="100").follow().text.count("The approval rules are saved.") == 1
    assert db.session.get(Company, shop.company.id).approval_above == Decimal("100.00")
    page = _set_rules(testapp, above="lots")
    assert "Enter the amount as a number" in page.text

    buyer = make.contact(shop.company, role="Buyer", email="bob@acme.example")
    testapp.reset()
    login(testapp, buyer)
    add_to_cart(testapp, shop.products[0], "5")  # 60.50 incl. tax: below the limit
    place(testapp)
    add_to_cart(testapp, shop.products[1], "5")  # 151.25: above
    page, done = place(testapp)
    assert "waits for approval by your company's approvers" in page.text
    small, big = orders_of(shop.company)
    assert small.status == OrderStatus.submitted
    assert (big.status, big.approval_reason) == (OrderStatus.pending_approval, "customer")
    assert "waits for approval" in done.follow().text
    assert reserved(shop.products[1]) == Decimal(5)


def test_every_buyer_order_can_wait_and_approvers_own_orders_never_do(testapp, make, login, db):
    shop = shop_world(make, approval_for_buyers=True)
    login(testapp, shop.buyer)
    add_to_cart(testapp, shop.products[0], "1")
    place(testapp)
    admin = make.contact(shop.company, role="Admin", email="ada@acme.example")
    testapp.reset()
    login(testapp, admin)
    add_to_cart(testapp, shop.products[0], "1")
    place(testapp)
    assert [o.status for o in orders_of(shop.company)] == [OrderStatus.pending_approval, OrderStatus.submitted]


def test_an_approver_approves_or_rejects_with_a_comment_and_the_buyer_is_emailed(testapp, make, login, db):
    shop = shop_world(make, approval_for_buyers=True)
    login(testapp, shop.buyer)
    for product in shop.products:
        add_to_cart(testapp, product, "2")
        place(testapp)
    first, second = orders_of(shop.company)
    admin = make.contact(shop.company, role="Admin", name="Ada Admin", email="ada@acme.example")
    testapp.reset()
    login(testapp, admin)
    queue = testapp.get("/shop/approvals")
    assert [a.text for a in queue.html.select("#approval-queue h2 a")] == [first.number, second.number]

    form = queue.forms[f"decide-{first.id}"]
    form["comment"] = "Fine for the Delft job."
    done = form.submit("decision", value="approve").follow()
    assert f"Order {first.number} is approved. The buyer is emailed." in done.text
    reject = done.forms[f"decide-{second.id}"]
    refused = reject.submit("decision", value="reject").follow()
    assert "Say why the order is rejected" in refused.text
    reject = refused.forms[f"decide-{second.id}"]
    reject["comment"] = "Too many widgets."
    reject.submit("decision", value="reject").follow()

    first, second = orders_of(shop.company)
    assert (first.status, first.approved_by_id) == (OrderStatus.submitted, admin.id)
    assert second.status == OrderStatus.rejected and reserved(shop.products[1]) == Decimal(0)
    emails = db.session.execute(select(OutboxEmail).filter_by(kind="order_approval_decided")
                                .order_by(OutboxEmail.id)).scalars().all()
    assert [e.to_address for e in emails] == [shop.buyer.email] * 2
    assert "approved" in emails[0].subject and "Fine for the Delft job." in emails[0].body_text
    assert "rejected" in emails[1].subject and "Too many widgets." in emails[1].body_text
    assert {a.action for a in db.session.execute(select(AuditLog)).scalars()} >= {"order.approved", "order.rejected"}

    testapp.reset()
    login(testapp, shop.buyer)
    history = testapp.get(f"/orders/{second.id}").html.select_one("ol.timeline").get_text(" ", strip=True)
    assert "Rejected by Ada Admin" in history and "Too many widgets." in history


def test_a_decision_taken_already_is_not_taken_twice(make, db):
    shop = shop_world(make)
    admin = make.contact(shop.company, role="Admin", email="ada@acme.example")
    order = make.order(shop.company, status=OrderStatus.pending_approval, approval_reason="customer",
                       placed_by=shop.buyer)
    approvals.decide(order, ApprovalDecision.approved, "", by=Actor.of(admin))
    db.session.commit()
    try:
        approvals.decide(order, ApprovalDecision.rejected, "late", by=Actor.of(admin))
    except approvals.ApprovalError as error:
        assert "does not wait for your approval" in str(error)
    else:
        raise AssertionError("decided twice")
    assert len(db.session.execute(select(OrderApproval)).scalars().all()) == 1


def test_customer_then_credit_approval_goes_to_staff_after_the_customer(make, db):
    shop = shop_world(make)
    admin = make.contact(shop.company, role="Admin", email="ada@acme.example")
    order = make.order(shop.company, status=OrderStatus.pending_approval, approval_reason="customer_credit",
                       placed_by=shop.buyer)
    approvals.decide(order, ApprovalDecision.approved, "", by=Actor.of(admin))
    assert (order.status, order.approval_reason) == (OrderStatus.pending_approval, "credit")
    assert order not in approvals.queue(shop.company)
    staff = make.staff()
    approvals.decide(order, ApprovalDecision.approved, "ok", by=Actor.of(staff), as_staff=True)
    assert order.status == OrderStatus.submitted


def test_buyers_and_reps_do_not_decide_and_reps_see_the_rules_read_only(testapp, make, login, db):
    shop = shop_world(make, approval_for_buyers=True)
    order = make.order(shop.company, status=OrderStatus.pending_approval, placed_by=shop.buyer)
    login(testapp, shop.buyer)
    testapp.get("/shop/approvals", status=403)
    testapp.get("/shop/approvals/rules", status=403)
    rep = make.rep(allocated=[shop.company])
    testapp.reset()
    login(testapp, rep)
    testapp.get("/customers").forms[f"act-{shop.company.id}"].submit()
    queue = testapp.get("/shop/approvals")
    assert order.number in queue.text and "approved by ACME Tools's own approvers" in queue.text
    assert "approval-rules" not in testapp.get("/shop/approvals/rules").forms
    token = queue.html.select_one("input[name=csrf_token]")["value"]
    testapp.post(f"/shop/approvals/{order.id}", {"csrf_token": token, "decision": "approve"}, status=403)
    testapp.post("/shop/approvals/rules", {"csrf_token": token, "approval_above": "1"}, status=403)
    assert orders_of(shop.company)[0].status == OrderStatus.pending_approval


def test_the_dashboard_shows_approvers_how_many_orders_wait(testapp, make, login, db):
    shop = shop_world(make)
    admin = make.contact(shop.company, role="Admin", email="ada@acme.example")
    make.order(shop.company, status=OrderStatus.pending_approval, approval_reason="customer")
    make.order(shop.company, status=OrderStatus.pending_approval, approval_reason="credit")  # staff's
    login(testapp, admin)
    stat = next(s for s in testapp.get("/dashboard").html.select(".stat") if "Waiting for approval" in s.text)
    assert stat.select_one(".stat-value").text == "1"
    testapp.reset()
    login(testapp, shop.buyer)
    assert "Waiting for approval" not in testapp.get("/dashboard").text
