"""The demo data: what a newcomer sees after `portal demo`, and that it never lands on real data."""
from __future__ import annotations

from decimal import Decimal

import pytest
from email_validator import validate_email
from sqlalchemy import func, select

from portal.demo import seed_demo
from portal.demo.logins import DEMO_LOGINS, ensure_demo_logins, format_logins
from portal.extensions import db as _db
from portal.models import (
    Category,
    Company,
    CreditNote,
    Invoice,
    InvoiceStatus,
    Membership,
    OrderStatus,
    PriceTier,
    Product,
    ProductPrice,
    PurchaseOrder,
    Quote,
    QuoteStatus,
    ReturnRequest,
    SalesOrder,
    Shipment,
    ShipmentStatus,
    SupplierBill,
    Ticket,
    User,
    UserKind,
)
from portal.services import receivables
from portal.services.totals import compute_line_total
from tests.conftest import baseline


@pytest.fixture(scope="module")
def seeded_demo(app):
    """The demo, loaded once for this module's tests and committed: each test reads it inside its own
    transaction, rolled back at its end (what a test changes is gone for the next one). The tests that
    load the demo into an empty or a real database are in test_demo_loading.py."""
    with app.app_context():
        baseline()
        assert seed_demo() is True
        _db.session.commit()
        _db.session.remove()
    yield
    with app.app_context():
        baseline()


@pytest.fixture
def demo(seeded_demo, db):
    return db


def _all(db, model):
    return db.session.execute(select(model)).scalars().all()


def _login(testapp, email, password):
    form = testapp.get("/login").forms["login"]
    form["email"] = email
    form["password"] = password
    return form.submit()


def test_twelve_customers_each_with_two_to_four_contacts_and_addresses(demo):
    customers = demo.session.execute(select(Company).where(Company.is_customer.is_(True))).scalars().all()
    assert len(customers) == 12
    for company in customers:
        assert 2 <= len(company.memberships) <= 4, company.name
        kinds = {address.kind for address in company.addresses}
        assert kinds == {"billing", "shipping"}, company.name
    assert sorted(c.name for c in customers if not c.portal_access) == ["Fennick Property Services",
                                                                         "Lindenhof Hotels"]
    assert any(c.price_tier is not None and not c.price_tier.is_default for c in customers)
    assert any(c.discount_percent > 0 for c in customers)


def test_contacts_reps_and_suppliers_are_wired_as_described(demo):
    shared = demo.session.execute(
        select(Membership.user_id).group_by(Membership.user_id).having(func.count() > 1)).scalars().all()
    assert len(shared) == 1
    suppliers = demo.session.execute(select(Company).where(Company.is_supplier.is_(True))).scalars().all()
    assert len(suppliers) == 2 and sum(s.is_customer for s in suppliers) == 1
    assert all(s.memberships for s in suppliers)
    rep = demo.session.execute(select(User).where(User.kind == UserKind.rep)).scalar_one()
    assert len(rep.allocated_companies) == 4
    # Only the published demo logins have a password.
    with_password = demo.session.execute(select(User.email).where(User.password_hash.is_not(None))).scalars()
    assert set(with_password) == {login.email for login in DEMO_LOGINS}
    for email in demo.session.execute(select(User.email)).scalars():
        assert validate_email(email, check_deliverability=False).normalized == email
    # Contacts of companies without portal access cannot sign in either.
    for company in demo.session.execute(select(Company).where(Company.portal_access.is_(False))).scalars():
        assert not any(m.user.portal_access for m in company.memberships)


def test_about_three_hundred_visible_products_priced_in_every_tier(demo):
    tiers = _all(demo, PriceTier)
    assert sorted(t.name for t in tiers) == ["Guest", "Standard", "Trade", "Wholesale"]
    assert [t.name for t in tiers if t.is_default] == ["Standard"]
    visible = demo.session.execute(select(Product).where(Product.visibility == "all")).scalars().all()
    assert 280 <= len(visible) <= 320
    priced_tiers = demo.session.execute(
        select(ProductPrice.product_id, func.count(ProductPrice.tier_id)).group_by(ProductPrice.product_id)
    ).all()
    assert {count for _, count in priced_tiers} == {4}
    assert len(priced_tiers) == len(_all(demo, Product))
    leaves = {p.category for p in visible}
    assert 8 <= len(leaves) <= 14 and all(c.parent is not None for c in leaves)
    assert demo.session.execute(select(func.count(Category.id)).where(Category.parent_id.is_(None))).scalar() >= 2
    out = [p for p in visible if p.stock.on_hand == 0]
    low = [p for p in visible if 0 < p.stock.on_hand < p.stock.low_stock_threshold]
    assert out and low
    assert all(p.stock.incoming > 0 and p.stock.incoming_date for p in out)


def test_documents_exist_in_every_promised_state(demo):
    quotes = _all(demo, Quote)
    assert {q.status for q in quotes} >= {QuoteStatus.draft, QuoteStatus.sent, QuoteStatus.accepted,
                                          QuoteStatus.changes_requested, QuoteStatus.expired}
    for quote in quotes:
        assert quote.sections and all(line.section for line in quote.lines if line.product)
        if quote.status == QuoteStatus.accepted:
            assert quote.accepted_name and quote.accepted_dt and quote.signature_hash
            order = demo.session.execute(select(SalesOrder).filter_by(quote_id=quote.id)).scalar_one()
            assert order.total == quote.total
        if quote.status == QuoteStatus.changes_requested:
            assert {m.from_staff for m in quote.messages} == {True, False}

    assert len({o.status for o in _all(demo, SalesOrder)}) >= 6
    invoices = _all(demo, Invoice)
    assert {i.status for i in invoices} >= {InvoiceStatus.open, InvoiceStatus.partially_paid, InvoiceStatus.paid}
    assert any(receivables.is_overdue(i) for i in invoices)
    for invoice in invoices:
        assert invoice.amount_paid == sum((p.amount for p in invoice.payments), Decimal(0))
        if invoice.status == InvoiceStatus.paid:
            assert invoice.amount_paid == invoice.total

    shipments = _all(demo, Shipment)
    assert {s.status for s in shipments} >= {ShipmentStatus.shipped, ShipmentStatus.in_transit,
                                             ShipmentStatus.delivered}
    assert all(s.events and s.tracking_number for s in shipments)
    assert [e.status for e in next(s for s in shipments if s.status == "delivered").events] == [
        "shipped", "in_transit", "delivered"]

    assert len(_all(demo, CreditNote)) == 1 and len(_all(demo, ReturnRequest)) == 2
    suppliers = {po.company_id for po in _all(demo, PurchaseOrder)}
    assert len(suppliers) == 2 and {b.company_id for b in _all(demo, SupplierBill)} == suppliers
    tickets = _all(demo, Ticket)
    assert len(tickets) >= 2 and all(len(t.messages) >= 2 for t in tickets)


@pytest.mark.parametrize("model", [Quote, SalesOrder, Invoice, CreditNote, PurchaseOrder])
def test_document_totals_add_up(demo, model):
    documents = _all(demo, model)
    assert documents
    for doc in documents:
        assert doc.number and doc.lines, doc
        for line in doc.lines:
            assert line.line_total == compute_line_total(line), (doc.number, line.description)
        assert sum(line.line_total for line in doc.lines) == doc.subtotal, doc.number
        assert doc.subtotal + doc.tax_total == doc.total, doc.number
        assert doc.total > 0


def test_seeding_twice_adds_nothing(demo):
    models = (Company, User, Product, ProductPrice, Quote, SalesOrder, Invoice, Shipment)
    before = {m: len(_all(demo, m)) for m in models}
    assert seed_demo() is False
    assert {m: len(_all(demo, m)) for m in models} == before


def test_printed_customer_login_signs_in_and_sees_its_company(testapp, demo):
    printed = format_logins(ensure_demo_logins())
    customer = next(login for login in DEMO_LOGINS if login.who == "Customer admin")
    assert customer.email in printed and customer.password in printed
    res = _login(testapp, customer.email, customer.password)
    assert res.status_int == 302
    res = res.follow()
    while res.status_int == 302:
        res = res.follow()
    assert "Acme Hardware" in res.text
    assert "Recent orders" in res.text
    assert "overdue" in res.text.lower()


def test_every_printed_login_can_sign_in(testapp, demo):
    for login in ensure_demo_logins():
        testapp.reset()
        res = _login(testapp, login.email, login.password)
        assert res.status_int == 302, login.email


def test_staff_demo_login_reaches_the_back_office(testapp, demo):
    staff = next(login for login in DEMO_LOGINS if login.who.startswith("Staff"))
    res = _login(testapp, staff.email, staff.password)
    assert res.status_int == 302
    assert testapp.get("/admin/").status_int == 200


def test_restarting_the_demo_restores_the_published_passwords(demo):
    anna = demo.session.execute(select(User).filter_by(email="anna@acme.example")).scalar_one()
    anna.set_password("changed-during-the-demo")
    demo.session.commit()
    assert [login.email for login in ensure_demo_logins()] == [login.email for login in DEMO_LOGINS]
    assert anna.check_password("northwind-demo")


def test_demo_orders_cover_approval_and_rep_orders(demo):
    orders = _all(demo, SalesOrder)
    assert any(o.status == OrderStatus.pending_approval for o in orders)
    assert any(o.acting_rep_id is not None for o in orders)


def test_whoever_acted_in_the_portal_had_accepted_an_invitation(demo):
    """Orders, quote acceptances, messages, tickets and returns come from contacts who can sign in (or the rep)."""
    from portal.models import InvitationState, QuoteMessage, TicketMessage

    def can_use_portal(user) -> bool:
        return user.kind == UserKind.rep or (user.invitation_state == InvitationState.accepted and user.portal_access)

    users = {u.id: u for u in _all(demo, User)}
    for order in _all(demo, SalesOrder):
        if order.placed_by is None:
            assert not order.company.portal_access, order.number  # taken by staff, by phone or email
        else:
            assert can_use_portal(order.placed_by), (order.number, order.placed_by.name)
        if order.acting_rep is not None:
            assert order.acting_rep.kind == UserKind.rep
    for quote in _all(demo, Quote):
        if quote.accepted_name:
            assert any(u.name == quote.accepted_name and can_use_portal(u) for u in users.values()), quote.number
    for message in _all(demo, QuoteMessage):
        assert message.from_staff or can_use_portal(users[message.author_id]), message.body
    for ticket in _all(demo, Ticket):
        assert can_use_portal(ticket.opened_by), ticket.subject
    for message in _all(demo, TicketMessage):
        assert message.from_staff or can_use_portal(users[message.author_id]), message.body
    for request in _all(demo, ReturnRequest):
        assert can_use_portal(users[request.requested_by_id])


def test_invitation_states_are_ones_the_portal_could_have_reached(demo):
    from portal.models import AccessToken, InvitationState, TokenPurpose

    contacts = demo.session.execute(select(User).where(User.kind == UserKind.contact)).scalars().all()
    states = {u.invitation_state for u in contacts}
    assert states >= {InvitationState.accepted, InvitationState.invited, InvitationState.not_invited}
    invited_ids = set(demo.session.execute(
        select(AccessToken.user_id).where(AccessToken.purpose == TokenPurpose.invitation)).scalars())
    for user in contacts:
        if user.invitation_state == InvitationState.not_invited:
            assert not user.portal_access, f"{user.name} was never invited but has portal access"
        if user.invitation_state == InvitationState.invited:
            assert user.portal_access and user.id in invited_ids, user.name
