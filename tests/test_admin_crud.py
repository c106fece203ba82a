"""Staff create and edit records through the back-office forms; bad input is a form error, never a 500."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from webtest import TestApp
from webtest.forms import Text

from portal.models import (
    AuditLog,
    Company,
    Membership,
    OrderStatus,
    Product,
    ProductPrice,
    Quote,
    QuoteStatus,
    Role,
    SalesOrder,
    User,
    UserKind,
)
from tests.fixtures_admin import add_inline, delete_from_list, errors_of, model_form


def count(db, model, *where) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


# --- companies -----------------------------------------------------------------------------------------

def test_staff_creates_a_company(admin, db):
    form = model_form(admin.get("/admin/company/new/"))
    form["code"] = "C-1001"
    form["name"] = "ACME Tools"
    form["email"] = "  Orders@ACME.example "
    form["currency"] = "usd"
    form["credit_limit"] = "2500.00"
    form["portal_access"] = True
    res = form.submit().follow()
    assert "ACME Tools" in res.text
    company = db.session.execute(select(Company).filter_by(code="C-1001")).scalar_one()
    assert (company.email, company.currency, company.credit_limit) == ("orders@acme.example", "USD", Decimal(2500))
    assert company.portal_access is True
    assert "$2,500.00" in admin.get("/admin/company/").text  # money in the list carries its currency


@pytest.mark.parametrize(("field", "value", "message"), [
    ("email", "not-an-email", "Enter a valid email address."),
    ("credit_limit", "-1", "Must be zero or more."),
    ("credit_limit", "12.345", "Use at most 2 decimals."),
    ("currency", "EURO", "Use a 3-letter ISO code like EUR."),
    ("name", "", "This field is required."),
])
def test_bad_company_input_is_a_form_error(admin, db, field, value, message):
    form = model_form(admin.get("/admin/company/new/"))
    form["code"], form["name"] = "C-2001", "Bad Input Ltd"
    form[field] = value
    res = form.submit()
    assert res.status_int == 200
    assert message in errors_of(res)
    assert count(db, Company) == 0


def test_duplicate_company_code_is_a_form_error(admin, db, make):
    make.company(code="C-3001", name="First")
    form = model_form(admin.get("/admin/company/new/"))
    form["code"], form["name"] = "C-3001", "Second"
    res = form.submit()
    assert res.status_int == 200
    assert "Already exists" in errors_of(res)
    assert count(db, Company) == 1


def test_database_conflict_is_reported_in_words_not_a_500(admin, db, make):
    """A rule only the database knows (a contact's membership in a company is unique) is a clear flash."""
    company = make.company(name="ACME Tools")
    contact = make.contact(company)
    form = model_form(admin.get("/admin/membership/new/"))
    form["user"] = str(contact.id)
    form["company"] = str(company.id)
    form["role"] = str(make.role("Viewer").id)
    res = form.submit()
    assert res.status_int == 200
    assert "another membership already has this user and company" in errors_of(res)
    assert "IntegrityError" not in res.text and "INSERT" not in res.text
    assert count(db, Membership) == 1


@pytest.fixture
def foreign_keys_enforced(db):
    """conftest's SQLite wipe leaves its pooled connection with PRAGMA foreign_keys off (the ON runs inside
    the transaction, where SQLite ignores it); fresh connections get it on again. PostgreSQL always enforces."""
    db.session.remove()
    db.engine.dispose()


def test_deleting_a_company_that_has_orders_is_refused_with_a_reason(admin, db, make, foreign_keys_enforced):
    company = make.company(name="ACME Tools")
    make.order(company)
    res = delete_from_list(admin, "/admin/company/", company.id)
    assert "still referred to by other records" in res.text
    assert count(db, Company) == 1


# --- products ------------------------------------------------------------------------------------------

def new_product_form(admin, tier, sku="DR-100", price="49.95"):
    form = model_form(admin.get("/admin/product/new/"))
    form["sku"] = sku
    form["name"] = "Cordless drill"
    form["stock-on_hand"] = "12"
    add_inline(form, "prices", 0, tier=tier.id, price=price, currency="EUR")
    return form


def test_staff_creates_a_product_with_price_and_stock(admin, db, make):
    tier = make.tier()
    res = new_product_form(admin, tier).submit().follow()
    assert "Cordless drill" in res.text
    product = db.session.execute(select(Product).filter_by(sku="DR-100")).scalar_one()
    assert [(p.tier_id, p.price, p.currency) for p in product.prices] == [(tier.id, Decimal("49.95"), "EUR")]
    assert product.stock.on_hand == Decimal(12)
    assert "€49.95" in admin.get("/admin/product-price/").text


def test_duplicate_sku_is_a_form_error(admin, db, make):
    make.product(sku="DR-100")
    res = new_product_form(admin, make.tier(), sku="DR-100").submit()
    assert res.status_int == 200
    assert "Already exists" in errors_of(res)
    assert count(db, Product) == 1


def test_negative_price_is_a_form_error(admin, db, make):
    res = new_product_form(admin, make.tier(), price="-5").submit()
    assert res.status_int == 200
    assert "Must be zero or more." in errors_of(res)
    assert count(db, Product) == 0


# --- documents -----------------------------------------------------------------------------------------

def test_editing_order_lines_recomputes_line_and_order_totals(admin, db, make):
    order = make.order(make.company(name="ACME Tools"), total="121.00")  # one line: 1 x 100.00
    form = model_form(admin.get(f"/admin/sales-order/edit/?id={order.id}"))
    form["lines-0-quantity"] = "3"
    form["lines-0-discount_percent"] = "10"
    add_inline(form, "lines", 1, description="Installation", quantity="2", unit_price="45.50",
               discount_percent="0", tax_rate="9")
    res = form.submit("_continue_editing").follow()
    db.session.expire_all()
    order = db.session.get(SalesOrder, order.id)
    assert [ln.line_total for ln in order.lines] == [Decimal("270.00"), Decimal("91.00")]
    assert order.subtotal == Decimal("361.00")
    assert order.tax_total == Decimal("64.89")  # 270 x 21% = 56.70, 91 x 9% = 8.19
    assert order.total == Decimal("425.89")
    assert model_form(res)["total"].value == "425.89"

    form = model_form(res)
    form["del-lines-0"] = True
    form.submit()
    db.session.expire_all()
    order = db.session.get(SalesOrder, order.id)
    assert len(order.lines) == 1
    assert (order.subtotal, order.total) == (Decimal("91.00"), Decimal("99.19"))
    assert "€99.19" in admin.get("/admin/sales-order/").text
    details = admin.get(f"/admin/sales-order/details/?id={order.id}")
    line_rows = [[td.get_text(strip=True) for td in tr.select("td")] for tr in details.html.select("table.table-sm tbody tr")]
    assert line_rows == [["2", "Installation", "2", "€45.50", "0%", "9%", "€91.00"]]


def test_order_line_products_are_searched_by_sku_or_name(admin, make):
    order = make.order(make.company())
    make.product(sku="DR-100", name="Cordless drill")
    make.product(sku="SAW-7", name="Circular saw")
    page = admin.get(f"/admin/sales-order/edit/?id={order.id}")
    lookup = page.html.find(id="lines-0-product")["data-url"]
    assert [label for _, label in admin.get(lookup + "&query=drill").json] == ["DR-100 Cordless drill"]
    assert [label for _, label in admin.get(lookup + "&query=SAW").json] == ["SAW-7 Circular saw"]


def test_new_order_gets_its_number_and_company_currency(admin, db, make):
    company = make.company(name="London Ltd", currency="GBP")
    res = admin.get("/admin/sales-order/new/")
    form = model_form(res)
    assert "number" not in form.fields and "total" not in form.fields
    form["company"] = str(company.id)
    form["status"] = OrderStatus.confirmed.value
    add_inline(form, "lines", 0, description="Bolts", quantity="10", unit_price="0.35", discount_percent="0",
               tax_rate="20")
    form.submit()
    order = db.session.execute(select(SalesOrder)).scalar_one()
    assert re.fullmatch(r"SO-\d{4}-\d{4}", order.number)
    assert (order.currency, order.total) == ("GBP", Decimal("4.20"))
    listing = admin.get("/admin/sales-order/")
    assert order.number in listing.text and "£4.20" in listing.text
    assert "Confirmed" in listing.text  # enum shown by its label


def test_number_and_totals_cannot_be_typed(admin, db, make):
    order = make.order(make.company())
    number = order.number
    form = model_form(admin.get(f"/admin/sales-order/edit/?id={order.id}"))
    assert form["number"].attrs.get("readonly") is not None
    form["number"] = "HACKED-1"
    form["total"] = "0.01"
    form.submit()
    db.session.expire_all()
    order = db.session.get(SalesOrder, order.id)
    assert order.number == number
    assert order.total == Decimal("121.00")


def test_a_quote_request_gets_its_number_when_staff_price_it(admin, db, make):
    quote = Quote(company_id=make.company().id, status=QuoteStatus.requested, title="Please quote 500 bolts")
    db.session.add(quote)
    db.session.commit()
    assert quote.number is None  # numbering skips requests
    form = model_form(admin.get(f"/admin/quote/edit/?id={quote.id}"))
    form["status"] = QuoteStatus.sent.value
    form.submit()
    db.session.expire_all()
    quote = db.session.get(Quote, quote.id)
    assert re.fullmatch(r"Q-\d{4}-\d{4}", quote.number)
    assert quote.issued_dt is not None


def test_invoice_due_date_before_issue_date_is_a_form_error(admin, db, make):
    invoice = make.invoice(make.company())
    form = model_form(admin.get(f"/admin/invoice/edit/?id={invoice.id}"))
    form["due_date"] = "2000-01-01"
    res = form.submit()
    assert "The due date cannot be before the issue date." in errors_of(res)
    db.session.expire_all()
    assert db.session.get(type(invoice), invoice.id).due_date != "2000-01-01"


# --- people and roles ----------------------------------------------------------------------------------

def test_staff_sets_a_password_and_the_hash_is_never_shown(admin, db, make, testapp, login):
    form = model_form(admin.get("/admin/user/new/"))
    assert not any("password_hash" in (name or "") for name in form.fields)
    form["name"] = "Rita Rep"
    form["email"] = "Rita@Example.com"
    form["kind"] = UserKind.rep.value
    form["password"] = "a long enough secret"
    form.submit()
    rita = db.session.execute(select(User).filter_by(email="rita@example.com")).scalar_one()
    assert rita.check_password("a long enough secret")
    for page in ("/admin/user/", f"/admin/user/details/?id={rita.id}", "/admin/user/export/csv/",
                 f"/admin/user/edit/?id={rita.id}"):
        text = admin.get(page).text
        assert rita.password_hash not in text and "password_hash" not in text.lower()
        assert "Password hash" not in text


def test_short_password_and_duplicate_email_are_form_errors(admin, db, make):
    make.user(UserKind.contact, email="taken@example.com", password=None)
    form = model_form(admin.get("/admin/user/new/"))
    form["name"], form["email"], form["password"] = "Someone", "TAKEN@example.com", "short"
    res = form.submit()
    text = errors_of(res)
    assert "Already exists" in text
    assert "Use at least 10 characters." in text
    assert count(db, User) == 2  # the staff member and the existing contact


def test_staff_resets_a_users_password_which_ends_their_sessions(admin, db, make, testapp, login):
    from tests.conftest import PASSWORD

    contact = make.contact(make.company())
    customer = TestApp(testapp.app)
    login(customer, contact)
    customer.get("/dashboard", status=200)
    form = model_form(admin.get(f"/admin/user/edit/?id={contact.id}"))
    form["password"] = "password123"
    assert "That password is too common." in errors_of(form.submit())
    form = model_form(admin.get(f"/admin/user/edit/?id={contact.id}"))
    form["password"] = "brand new staff-set secret"
    form.submit()
    db.session.expire_all()
    assert db.session.get(User, contact.id).check_password("brand new staff-set secret")
    assert not db.session.get(User, contact.id).check_password(PASSWORD)
    res = customer.get("/dashboard")
    assert res.status_int == 302 and "/login" in res.location  # the old session no longer works


def test_role_permissions_are_chosen_from_the_declared_keys(admin, db):
    form = model_form(admin.get("/admin/role/new/"))
    offered = [value for value, *_ in form["permissions"].options]
    assert "orders.view" in offered and "dashboard.view" in offered
    form["name"] = "Warehouse"
    form["permissions"] = ["orders.view", "dashboard.view"]
    form.submit()
    role = db.session.execute(select(Role).filter_by(name="Warehouse")).scalar_one()
    assert role.permissions == ["dashboard.view", "orders.view"]


def test_builtin_roles_cannot_be_deleted(admin, db, make):
    buyer = make.role("Buyer")
    res = delete_from_list(admin, "/admin/role/", buyer.id)
    assert "built-in role" in res.text
    assert count(db, Role, Role.id == buyer.id) == 1


def test_failed_emails_can_be_queued_again(admin, db):
    from portal.models import OutboxEmail, OutboxStatus

    email = OutboxEmail(kind="invoice", to_address="ap@example.com", subject="Invoice", body_text="Hi",
                        status=OutboxStatus.failed, attempts=5, last_error="Connection refused")
    db.session.add(email)
    db.session.commit()
    listing = admin.get("/admin/outbox-email/?flt0_status_equals=failed")
    assert "Connection refused" in listing.text and "ap@example.com" in listing.text  # why it failed, at a glance
    action = listing.forms["action_form"]
    action["action"] = "requeue"
    add_rowid = Text(action, "input", "rowid", 99, value=str(email.id))
    action.fields["rowid"] = [add_rowid]
    action.field_order.append(("rowid", add_rowid))
    res = action.submit().follow()
    assert "1 email(s) queued again." in res.text
    db.session.expire_all()
    email = db.session.get(OutboxEmail, email.id)
    assert (email.status, email.attempts) == (OutboxStatus.queued, 0)


def test_staff_changes_are_audited(admin, db, staff):
    form = model_form(admin.get("/admin/price-tier/new/"))
    form["code"], form["name"] = "GOLD", "Gold"
    form.submit()
    row = db.session.execute(select(AuditLog).where(AuditLog.action == "admin.create")).scalar_one()
    assert (row.actor_id, row.object_type) == (staff.id, "price_tier")


def test_the_product_list_shows_default_price_and_available_stock_in_few_queries(admin, db, make, count_queries):
    default = make.tier("STD", "Standard", is_default=True)
    trade = make.tier("TRADE", "Trade")
    products = [make.product(sku=f"P-{n}", price="12.50", tier=default) for n in range(12)]
    products[1].prices.clear()
    products[1].prices.append(ProductPrice(tier=trade, price=Decimal("9.99"), currency="EUR"))
    products[0].stock.reserved = products[0].stock.on_hand - 1
    db.session.commit()
    admin.get("/admin/product/")  # warm up: the first page load fills caches
    db.session.expunge_all()  # nothing loaded in advance: the page loads what it shows
    with count_queries() as counter:
        listing = admin.get("/admin/product/?sort=0")
    row = listing.html.find("td", string=lambda s: s and s.strip() == "P-0").find_parent("tr")
    assert "€12.50" in row.get_text()
    assert "1 available" in row.get_text() and "low" in row.get_text()
    assert counter.count <= 8, counter.statements
    other = listing.html.find("td", string=lambda s: s and s.strip() == "P-1").find_parent("tr")
    assert "no price" in other.get_text() and "€9.99" not in other.get_text()


def test_products_out_of_stock_or_without_stock_are_listed(admin, make, db):
    make.product(sku="EMPTY-1", on_hand="0")
    untracked = make.product(sku="UNTRACKED-1")
    untracked.stock = None
    db.session.commit()
    db.session.expunge_all()
    listing = admin.get("/admin/product/")
    empty = listing.html.find("td", string=lambda s: s and s.strip() == "EMPTY-1").find_parent("tr").get_text()
    assert "0 available" in empty and "low" in empty
    assert "not tracked" in listing.html.find("td", string=lambda s: s and s.strip() == "UNTRACKED-1").find_parent(
        "tr").get_text()


def test_the_user_list_shows_each_contacts_companies_and_each_reps_customers(admin, make, db, count_queries):
    acme, bolt = make.company(name="ACME Tools"), make.company(name="Bolt Fasteners")
    anna = make.contact(acme, role="Buyer", name="Anna Both")
    make.membership(anna, bolt, role="Admin")
    for n in range(8):
        make.contact(acme, name=f"Extra {n}")
    make.rep([bolt], name="Rita Rep")
    db.session.expunge_all()
    with count_queries() as counter:
        listing = admin.get("/admin/user/?search=a")
    row = listing.html.find("td", string=lambda s: s and s.strip() == "Anna Both").find_parent("tr").get_text(" ")
    assert "ACME Tools (Buyer)" in row and "Bolt Fasteners (Admin)" in row
    rep_row = listing.html.find("td", string=lambda s: s and s.strip() == "Rita Rep").find_parent("tr").get_text(" ")
    assert "Bolt Fasteners" in rep_row and "ACME Tools" not in rep_row
    assert counter.count <= 10, counter.statements
