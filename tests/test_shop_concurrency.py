"""Placing orders under real concurrency: parallel HTTP requests against the live server.

Runs on the suite's engine: a file-backed SQLite by default, PostgreSQL when DATABASE_URL points there
(CI runs both). Each buyer has its own browser (cookies, CSRF token) and review page; all press
"Place order" at the same moment.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from sqlalchemy import func, select

from portal.extensions import db as _db
from portal.models import OrderApproval, OrderStatus, OutboxEmail, Product, SalesOrder
from tests.conftest import PASSWORD

BUYERS = 8


def _review_page(client, *product_ids: int) -> dict:
    """Sign-in done; put one unit of each product in the cart (in that order) and return the review page's
    "Place order" fields."""
    cart = client.get("/shop/cart")
    token = cart.form_fields("form#request-quote" if "request-quote" in cart.text else "form")["csrf_token"]
    for product_id in product_ids:
        client.post("/shop/cart/add", {"csrf_token": token, "product_id": product_id, "quantity": "1"})
    details = client.get("/shop/checkout").form_fields("form#checkout")
    review = client.post("/shop/checkout", details)
    assert review.status == 200 and "Place order" in review.text, review.text[:3000]
    return review.form_fields("form#place-order")


def _press_together(jobs) -> list:
    start = threading.Barrier(len(jobs))

    def one(job):
        client, fields = job
        start.wait(timeout=60)
        return client.post("/shop/checkout/place", fields)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(one, jobs, timeout=300))


def test_parallel_checkouts_for_the_last_units_never_oversell(db, make, live_client):
    tier = make.tier()
    product = make.product(price="10.00", on_hand="3", tier=tier, name="Last widget")
    buyers = []
    for n in range(BUYERS // 2):  # several companies, two buyers each
        company = make.company(name=f"Buyer company {n}", price_tier=tier)
        make.address(company, kind="shipping", is_default=True)
        buyers += [make.contact(company, role="Buyer", email=f"b{n}{k}@example.com") for k in range(2)]
    jobs = []
    for buyer in buyers:
        client = live_client()
        client.sign_in(buyer.email, PASSWORD)
        jobs.append((client, _review_page(client, product.id)))

    responses = _press_together(jobs)

    placed = [r for r in responses if "/orders/" in r.url]
    refused = [r for r in responses if "/orders/" not in r.url]
    assert len(placed) == 3 and len(refused) == BUYERS - 3, [(r.status, r.url) for r in responses]
    assert all("Last widget is out of stock now" in r.text for r in refused)
    _db.session.expire_all()
    assert _db.session.execute(select(func.count(SalesOrder.id))).scalar_one() == 3
    stock = _db.session.get(Product, product.id).stock
    assert (stock.on_hand, stock.reserved) == (Decimal(3), Decimal(3))
    numbers = _db.session.execute(select(SalesOrder.number)).scalars().all()
    assert len(set(numbers)) == 3
    assert _db.session.execute(select(func.count(OutboxEmail.id)).filter_by(kind="order_confirmation")
                               ).scalar_one() == 3


def test_parallel_checkouts_of_the_same_products_in_opposite_orders_all_go_through(db, make, live_client):
    """Carts holding the same two products, half of them in the other order, all placed at the same moment:
    no checkout waits for another that waits for it (a deadlock would refuse one)."""
    tier = make.tier()
    first = make.product(price="10.00", on_hand="100", tier=tier, name="Hinge")
    second = make.product(price="20.00", on_hand="100", tier=tier, name="Bracket")
    jobs = []
    for n in range(BUYERS):
        company = make.company(name=f"Buyer company {n}", price_tier=tier)
        make.address(company, kind="shipping", is_default=True)
        buyer = make.contact(company, role="Buyer", email=f"b{n}@example.com")
        client = live_client()
        client.sign_in(buyer.email, PASSWORD)
        order = (first.id, second.id) if n % 2 else (second.id, first.id)
        jobs.append((client, _review_page(client, *order)))

    responses = _press_together(jobs)

    assert all("/orders/" in r.url for r in responses), [(r.status, r.url) for r in responses]
    _db.session.expire_all()
    assert _db.session.execute(select(func.count(SalesOrder.id))).scalar_one() == BUYERS
    for product in (first, second):
        assert _db.session.get(Product, product.id).stock.reserved == Decimal(BUYERS)


def test_place_order_pressed_many_times_at_once_makes_one_order(db, make, live_client):
    tier = make.tier()
    product = make.product(price="10.00", on_hand="100", tier=tier)
    company = make.company(name="ACME Tools", price_tier=tier)
    make.address(company, kind="shipping", is_default=True)
    buyer = make.contact(company, role="Buyer", email="bea@acme.example")
    browser = live_client()
    browser.sign_in(buyer.email, PASSWORD)
    fields = _review_page(browser, product.id)

    responses = _press_together([(browser.clone(), fields) for _ in range(BUYERS)])

    assert all(r.status == 200 for r in responses), [r.status for r in responses]
    assert len({r.url for r in responses}) == 1 and "/orders/" in responses[0].url
    _db.session.expire_all()
    assert _db.session.execute(select(func.count(SalesOrder.id))).scalar_one() == 1
    assert _db.session.get(Product, product.id).stock.reserved == Decimal(1)
    assert _db.session.execute(select(func.count(OutboxEmail.id)).filter_by(kind="order_confirmation")
                               ).scalar_one() == 1


def test_two_approvers_deciding_at_once_make_one_decision(db, make, live_client):
    company = make.company(name="ACME Tools")
    buyer = make.contact(company, role="Buyer", email="bea@acme.example")
    order = make.order(company, status=OrderStatus.pending_approval, approval_reason="customer", placed_by=buyer)
    jobs = []
    for n, decision in enumerate(["approve", "reject"] * (BUYERS // 2)):
        approver = make.contact(company, role="Admin", email=f"approver{n}@acme.example")
        client = live_client()
        client.sign_in(approver.email, PASSWORD)
        fields = client.get("/shop/approvals").form_fields(f"form#decide-{order.id}")
        jobs.append((client, {**fields, "decision": decision, "comment": f"decided by {n}"}))
    start = threading.Barrier(len(jobs))

    def one(job):
        client, fields = job
        start.wait(timeout=60)
        return client.post(f"/shop/approvals/{order.id}", fields)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        responses = list(pool.map(one, jobs, timeout=300))

    decided = [r for r in responses if f"Order {order.number} is " in r.text]
    told = [r for r in responses if "Someone decided on this order a moment ago" in r.text
            or "does not wait for your approval" in r.text]
    assert (len(decided), len(told)) == (1, len(jobs) - 1), [r.status for r in responses]
    _db.session.expire_all()
    assert _db.session.execute(select(func.count(OrderApproval.id))).scalar_one() == 1
    assert _db.session.execute(select(func.count(OutboxEmail.id)).filter_by(kind="order_approval_decided")
                               ).scalar_one() == 1
