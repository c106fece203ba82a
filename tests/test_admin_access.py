"""The back office is staff-only on every URL: anonymous -> sign in, customer or rep -> 403, staff -> the page.

The URL list is read from the app's URL map, so a screen added later is covered without touching this file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from webtest import TestApp
from werkzeug.security import generate_password_hash

from portal import create_app
from portal.extensions import db as _db
from portal.models import (
    AuditLog,
    Company,
    ContractPrice,
    CreditNote,
    CreditNoteLine,
    EmailTemplate,
    IntegrationKey,
    NotificationRoute,
    OrderCharge,
    OutboxEmail,
    OutboxStatus,
    Payment,
    PaymentRequest,
    PaymentRequestItem,
    PortalEvent,
    PriceBreak,
    Promotion,
    PurchaseOrderLine,
    QuoteMessage,
    QuoteSection,
    ReturnLine,
    ReturnRequest,
    ShipmentEvent,
    Ticket,
    TicketMessage,
    User,
    UserKind,
)
from tests.conftest import PASSWORD, baseline
from tests.factories import Factories

#: assets (CSS, JS, fonts) are public like the portal's own static files
PUBLIC_ENDPOINTS = {"admin.static"}


def admin_get_rules(app) -> list[tuple[str, str]]:
    return sorted((r.rule, r.endpoint) for r in app.url_map.iter_rules()
                  if r.rule.startswith("/admin") and "GET" in r.methods and r.endpoint not in PUBLIC_ENDPOINTS)


def admin_post_rules(app) -> list[tuple[str, str]]:
    return sorted((r.rule, r.endpoint) for r in app.url_map.iter_rules()
                  if r.rule.startswith("/admin") and "POST" in r.methods)


# Collected from an app built the same way as the test app (parametrize needs them before fixtures run);
# test_rules_match_the_test_app checks the two agree.
_collector = create_app({"PORTAL_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
GET_RULES = admin_get_rules(_collector)
POST_RULES = admin_post_rules(_collector)
del _collector

#: a cheap hash of conftest.PASSWORD: hundreds of sign-ins would otherwise spend minutes in scrypt
FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


@dataclass
class World:
    staff: User
    contact: User
    rep: User


def quick_user(make, kind, **kw) -> User:
    user = make.user(kind, password=None, **kw)
    user.password_hash = FAST_HASH
    make.db.session.commit()
    return user


def build_world(make) -> World:
    """At least one row of every model with a back-office screen, so edit/details pages have real ids."""
    db = make.db
    company = make.company(name="ACME Tools")
    supplier = make.supplier(name="Steel Supplies")
    contact = quick_user(make, UserKind.contact, name="Carla Contact", portal_access=True)
    make.membership(contact, company, "Buyer")
    rep = quick_user(make, UserKind.rep, name="Ron Rep")
    rep.allocated_companies.append(company)
    staff = quick_user(make, UserKind.staff, name="Stella Staff")
    make.address(company)
    product = make.product(category=make.category("Tools"))
    tier = make.tier()
    order = make.order(company)
    invoice = make.invoice(company)
    quote = make.quote(company)
    shipment = make.shipment(company, order)
    po = make.purchase_order(supplier)
    make.supplier_bill(supplier)
    with db.session.no_autoflush:
        rows = [
            PriceBreak(product=product, tier=tier, min_qty=Decimal(10), price=Decimal("9.00")),
            ContractPrice(company=company, product=product, price=Decimal("8.50")),
            Promotion(name="Spring", product=product, discount_percent=Decimal(10)),
            QuoteSection(quote=quote, title="Hardware"),
            QuoteMessage(quote=quote, author_name="Carla", body="Can you do 5% off?"),
            Payment(company_id=company.id, invoice=invoice, amount=Decimal("50.00")),
            PaymentRequest(reference="PAY-TEST-0001", company_id=company.id, provider="bank_transfer",
                           total=Decimal("21.00"), items=[PaymentRequestItem(invoice=invoice, amount=Decimal("21.00"))]),
            CreditNote(company_id=company.id, invoice=invoice, reason="Damaged",
                       lines=[CreditNoteLine(description="Widget", unit_price=Decimal(5), line_total=Decimal(5))]),
            ShipmentEvent(shipment=shipment, status="in_transit", location="Utrecht"),
            OrderCharge(order=order, description="Freight", amount=Decimal("25.00"), total=Decimal("30.25")),
            ReturnRequest(company_id=company.id, order=order, reason="Wrong size",
                          lines=[ReturnLine(product=product, quantity=Decimal(1))]),
            Ticket(company_id=company.id, subject="Late delivery",
                   messages=[TicketMessage(body="Where is my order?")]),
            PurchaseOrderLine(purchase_order=po, description="Steel", unit_price=Decimal(5)),
            OutboxEmail(kind="order_placed", to_address="buyer@example.com", subject="Your order", body_text="Thanks"),
            EmailTemplate(key="order_placed", name="Order placed", subject="Order {{ number }}", body_text="Hi"),
            NotificationRoute(kind="order_placed", team_email="sales@example.com"),
            AuditLog(action="order.place", company_id=company.id, object_type="sales_order", object_id=order.id),
            PortalEvent(kind="quote.viewed", company_id=company.id, subject_type="quote", subject_id=quote.id),
            IntegrationKey(name="Carrier feed", prefix="ptk_00000000", key_hash="0" * 64),
        ]
        db.session.add_all(rows)
    db.session.commit()
    return World(staff=staff, contact=contact, rep=rep)


@pytest.fixture(scope="module")
def shared_world(app):
    """build_world's rows, made once for this module's tests and committed: each test reads them inside its
    own transaction, rolled back at its end. The users are detached with their email loaded (all a sign-in
    needs)."""
    with app.app_context():
        baseline()
        world = build_world(Factories(_db))
        for user in (world.staff, world.contact, world.rep):
            assert user.email
        _db.session.expunge_all()
        _db.session.remove()
    yield world
    with app.app_context():
        baseline()


@pytest.fixture
def world(shared_world, db):
    return shared_world


def view_for(app, endpoint: str):
    name = endpoint.split(".")[0]
    return next(v for v in app.extensions["portal_admin"]._views if v.endpoint == name)


def concrete_url(app, db, rule: str, endpoint: str) -> str:
    url = rule.replace("<export_type>", "csv")
    assert "<" not in url, f"no sample value for {rule}"
    action = endpoint.split(".")[-1]
    if action in ("edit_view", "details_view"):
        model = view_for(app, endpoint).model
        first = db.session.execute(select(model.id).order_by(model.id)).scalars().first()
        assert first is not None, f"build_world() made no {model.__name__}"
        url += f"?id={first}"
    elif action == "ajax_lookup":
        url += "?name=company&query=a"
    return url


def signed_in(testapp, login, user) -> TestApp:
    client = TestApp(testapp.app)
    login(client, user)
    return client


def test_rules_match_the_test_app(app):
    assert admin_get_rules(app) == GET_RULES
    assert admin_post_rules(app) == POST_RULES


def test_every_admin_rule_belongs_to_a_staff_only_view(app):
    from portal.admin_views.base import StaffAccess

    names = {endpoint.split(".")[0] for _, endpoint in GET_RULES + POST_RULES}
    views = {v.endpoint: v for v in app.extensions["portal_admin"]._views}
    assert names <= views.keys()
    assert all(isinstance(views[n], StaffAccess) for n in names)


STAFF_PAGES = ("index", "index_view", "create_view", "edit_view", "details_view")


@pytest.mark.parametrize(("rule", "endpoint"), GET_RULES, ids=[e for _, e in GET_RULES])
def test_admin_url_is_for_staff_only(app, db, testapp, login, world, rule, endpoint):
    url = concrete_url(app, db, rule, endpoint)

    res = testapp.get(url, status=302)
    target = urlsplit(res.location)
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == [url]

    for user in (world.contact, world.rep):
        client = signed_in(testapp, login, user)
        client.get(url, status=403)

    staff = signed_in(testapp, login, world.staff)
    res = staff.get(url, expect_errors=True)
    action = endpoint.split(".")[-1]
    view = view_for(app, endpoint)
    allowed = {"create_view": getattr(view, "can_create", True), "edit_view": getattr(view, "can_edit", True),
               "details_view": getattr(view, "can_view_details", True), "export": getattr(view, "can_export", True)}
    if action in STAFF_PAGES and allowed.get(action, True):
        assert res.status_int == 200, res.text[:3000]
        assert "Sign out" in res.text
    elif action == "export" and allowed["export"]:
        assert res.status_int == 200 and res.content_type == "text/csv"
    else:  # a screen without that action sends staff back to its list; lookups answer without a 5xx
        assert res.status_int < 500, res.text[:3000]


def csrf_from(res) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', res.text)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.mark.parametrize(("rule", "endpoint"), POST_RULES, ids=[e for _, e in POST_RULES])
def test_admin_post_is_refused_with_a_valid_csrf_token(app, db, testapp, login, rule, endpoint, make):
    """Even a well-formed post (valid CSRF token) by a non-staff user changes nothing."""
    url = rule.split("?")[0]
    target = make.company(name="Do Not Touch", code="KEEP-1")
    fields = {"id": str(target.id), "rowid": str(target.id), "action": "delete", "name": "Changed",
              "code": "CHANGED", "features.orders": ""}

    token = csrf_from(testapp.get("/login"))
    res = testapp.post(url, {**fields, "csrf_token": token}, status=302)
    assert urlsplit(res.location).path == "/login"

    contact = quick_user(make, UserKind.contact, portal_access=True)
    make.membership(contact, target, "Admin")
    customer = signed_in(testapp, login, contact)
    token = csrf_from(customer.get("/dashboard"))
    customer.post(url, {**fields, "csrf_token": token}, status=403)

    db.session.expire_all()
    kept = select(func.count()).select_from(Company).where(Company.code == "KEEP-1", Company.name == "Do Not Touch")
    assert db.session.execute(kept).scalar() == 1


def test_admin_pages_load_nothing_from_the_internet(app, db, testapp, login, world):
    """Offline: every stylesheet, script, image and font comes from this app."""
    staff = signed_in(testapp, login, world.staff)
    pages = ["/admin/", "/admin/settings/", "/admin/sales-order/", "/admin/sales-order/new/",
             "/admin/product/new/", "/admin/invoice/?flt0_overdue_is=yes"]
    assets = set()
    for page in pages:
        html = staff.get(page).text
        for url in re.findall(r'<(?:script|link|img|iframe|source)\b[^>]*?\b(?:src|href)="([^"]+)"', html):
            assert not re.match(r"(https?:)?//", url), f"{page} loads {url}"
            if url.startswith("/admin/static/"):
                assets.add(url)
        assert not re.search(r"@import\s+url\(\s*['\"]?(https?:)?//", html)
    assert any(a.endswith(".css") or ".css?" in a for a in assets)
    for asset in sorted(a for a in assets if ".css" in a):
        css = staff.get(asset).text
        assert not re.search(r"(url\(\s*['\"]?|@import\s+['\"])(https?:)?//", css), f"{asset} loads remote files"


def test_staff_sign_in_lands_on_the_back_office_home_with_counts(app, db, testapp, login, world, make):
    make.invoice(make.company(), due_in_days=-3)  # overdue
    res = login(testapp, world.staff)
    assert urlsplit(res.request.url).path == "/admin/"
    figure = res.html.select_one('[data-figure="overdue_invoices"]')
    assert figure.select_one(".count").text == "1"
    listing = testapp.get(figure["href"])
    rows = listing.html.select("table.model-list td.col-number")
    assert len(rows) == 1
    assert "overdue" in listing.html.select_one("table.model-list td.col-balance_due").text
    open_invoices = res.html.select_one('[data-figure="open_invoices"] .count').text
    assert open_invoices == "2"  # the world's invoice and the overdue one
    assert res.html.select_one('[data-figure="open_orders"] .count').text == "1"
    assert res.html.select_one('[data-figure="queued_emails"] .count').text == "1"



def test_the_back_office_home_counts_email_held_for_want_of_a_mail_server(db, testapp, login, world):
    for status in (OutboxStatus.held, OutboxStatus.held, OutboxStatus.sent):
        db.session.add(OutboxEmail(kind="invitation", to_address="x@example.com", subject="Hi", body_text="Hi",
                                   status=status))
    db.session.commit()
    staff = signed_in(testapp, login, world.staff)
    home = staff.get("/admin/")
    figure = home.html.select_one('[data-figure="held_emails"]')
    assert figure is not None, "the home page does not count held email"
    assert figure.select_one(".count").text == "2"
    assert "held" in figure.get_text().lower()
    listing = staff.get(figure["href"])
    assert len(listing.html.select("table.model-list td.col-subject")) == 2


def test_swatches_that_fetch_web_fonts_fall_back_to_the_bundled_theme():
    from portal.admin_views.setup import offline_swatch

    assert offline_swatch("cerulean") == "cerulean"
    assert offline_swatch("flatly") == "default"  # its CSS imports Google Fonts
    assert offline_swatch("no-such-swatch") == "default"
