"""Invoices feature: the customer's invoices, balances, credit notes and receipts (read-only)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal import settings
from portal.blueprints.invoices import services
from portal.models import CreditNoteStatus, Invoice, InvoiceStatus, PaymentMethod
from portal.services import clock, receivables

URLS = ("/invoices/", "/invoices/credit-notes", "/invoices/receipts")


def first_column(res) -> list[str]:
    """The first cell of every row of the page's first table body (the document numbers)."""
    table = BeautifulSoup(res.text, "html.parser").select_one("table tbody")
    return [row.select_one("td").get_text(strip=True) for row in table.select("tr")] if table else []


def stat(res, testid: str) -> str:
    return BeautifulSoup(res.text, "html.parser").select_one(f'[data-testid="{testid}"]').get_text(strip=True)


def take_permission_away(db, make, role: str, permission: str) -> None:
    row = make.role(role)
    assert permission in row.permissions
    row.permissions = [p for p in row.permissions if p != permission]
    db.session.commit()


@pytest.fixture
def two_companies(make):
    a = make.company(name="Alpha Trading")
    b = make.company(name="Beta Builders")
    return a, b


@pytest.fixture
def signed_in_a(testapp, make, login, two_companies):
    a, b = two_companies
    login(testapp, make.contact(a, role="Buyer"))
    return testapp, a, b


# --- services ------------------------------------------------------------------------------------

def _numbers(db, company, status, search="", today=None):
    query = select(Invoice).where(Invoice.company_id == company.id)
    query = services.filter_invoices(query, status, search, today or clock.today())
    return [inv.number for inv in db.session.execute(query).scalars()]


def test_filters_split_open_overdue_paid_and_hide_drafts(db, make):
    company = make.company()
    current = make.invoice(company, due_in_days=10)
    late = make.invoice(company, status=InvoiceStatus.partially_paid, due_in_days=-3, amount_paid=Decimal("21.00"))
    paid = make.invoice(company, status=InvoiceStatus.paid, amount_paid=Decimal("121.00"))
    void = make.invoice(company, status=InvoiceStatus.void)
    draft = make.invoice(company, status=InvoiceStatus.draft)

    assert set(_numbers(db, company, "open")) == {current.number, late.number}
    assert _numbers(db, company, "overdue") == [late.number]
    assert _numbers(db, company, "paid") == [paid.number]
    assert set(_numbers(db, company, "all")) == {current.number, late.number, paid.number, void.number}
    assert draft.number not in _numbers(db, company, "nonsense")
    # the day after the due date of `current`, it is overdue too
    assert set(_numbers(db, company, "overdue", today=clock.today() + timedelta(days=11))) == {
        current.number, late.number}


def test_search_matches_part_of_the_number_and_treats_wildcards_literally(db, make):
    company = make.company()
    one, two = make.invoice(company), make.invoice(company)
    assert _numbers(db, company, "all", search=one.number[-4:]) == [one.number]
    assert _numbers(db, company, "all", search=two.number.lower()) == [two.number]
    assert _numbers(db, company, "all", search="%") == []


def test_list_is_newest_first(db, make):
    company = make.company()
    old = make.invoice(company, issue_date=clock.today() - timedelta(days=40))
    new = make.invoice(company, issue_date=clock.today() - timedelta(days=1))
    middle = make.invoice(company, issue_date=clock.today() - timedelta(days=20))
    assert _numbers(db, company, "all") == [new.number, middle.number, old.number]


def test_outstanding_sums_balances_per_currency_and_counts_overdue(db, make):
    company = make.company()
    other = make.company()
    make.invoice(company, total="100.00", due_in_days=5)
    make.invoice(company, total="200.00", due_in_days=-1, status=InvoiceStatus.partially_paid,
                 amount_paid=Decimal("50.00"))
    make.invoice(company, total="999.00", status=InvoiceStatus.paid, amount_paid=Decimal("999.00"))
    make.invoice(company, total="777.00", status=InvoiceStatus.draft, due_in_days=-10)
    make.invoice(company, total="40.00", due_in_days=-2, currency="USD")
    make.invoice(other, total="5000.00", due_in_days=-2)

    result = {o.currency: o for o in receivables.outstanding(company, clock.today())}
    assert result["EUR"] == receivables.Outstanding("EUR", Decimal("250.00"), 2, Decimal("150.00"), 1)
    assert result["USD"] == receivables.Outstanding("USD", Decimal("40.00"), 1, Decimal("40.00"), 1)
    assert set(result) == {"EUR", "USD"}


def test_outstanding_of_a_company_without_open_invoices_is_empty(db, make):
    company = make.company()
    make.invoice(company, status=InvoiceStatus.paid, amount_paid=Decimal("121.00"))
    assert receivables.outstanding(company) == []


# --- pages: what a contact sees ------------------------------------------------------------------

def test_contact_sees_own_invoices_and_not_another_companys(signed_in_a, make):
    client, a, b = signed_in_a
    mine = make.invoice(a, total="121.00")
    theirs = make.invoice(b, total="484.00")

    res = client.get("/invoices/")
    assert first_column(res) == [mine.number]
    assert theirs.number not in res.text and "484.00" not in res.text

    res = client.get(f"/invoices/{mine.id}")
    assert f"Invoice {mine.number}" in res.text
    assert client.get(f"/invoices/{theirs.id}", expect_errors=True).status_int == 404


def test_detail_shows_lines_totals_payments_and_credit_notes(signed_in_a, make, db):
    client, a, b = signed_in_a
    invoice = make.invoice(a, total="1210.00", status=InvoiceStatus.partially_paid, amount_paid=Decimal("500.00"),
                           notes="Pay by wire")
    invoice.subtotal, invoice.tax_total = Decimal("1000.00"), Decimal("210.00")
    db.session.commit()
    receipt = make.payment(a, invoice, amount="500.00", method=PaymentMethod.card, reference="TX-991")
    unrelated_receipt = make.payment(a, None, amount="12.00")
    note = make.credit_note(a, invoice, total="60.50", reason="Two widgets dented")
    draft_note = make.credit_note(a, invoice, total="1.00", status=CreditNoteStatus.draft)
    other_company_note = make.credit_note(b, None, total="77.00")

    res = client.get(f"/invoices/{invoice.id}")
    page = BeautifulSoup(res.text, "html.parser")
    assert "Widget" in res.text
    foot = page.select_one("tfoot").get_text(" ", strip=True)
    for label, amount in (("Subtotal", "€1,000.00"), ("Tax", "€210.00"), ("Total", "€1,210.00"),
                          ("Amount paid", "€500.00"), ("Credited", "€60.50"), ("Balance due", "€649.50")):
        assert f"{label} {amount}" in foot
    assert stat(res, "balance-due") == "€649.50"  # the issued credit note counts, the draft one does not
    assert "Pay by wire" in res.text
    assert receipt.number in res.text and "TX-991" in res.text and "Card" in res.text
    assert unrelated_receipt.number not in res.text
    assert note.number in res.text and "Two widgets dented" in res.text
    assert draft_note.number not in res.text and other_company_note.number not in res.text
    # read-only in this issue: no pay button or form
    assert page.select("main form") == []


def test_filters_and_search_on_the_list_page(signed_in_a, make):
    client, a, _ = signed_in_a
    open_one = make.invoice(a, due_in_days=14)
    overdue = make.invoice(a, due_in_days=-5)
    paid = make.invoice(a, status=InvoiceStatus.paid, amount_paid=Decimal("121.00"))

    res = client.get("/invoices/")
    assert set(first_column(res)) == {open_one.number, overdue.number, paid.number}
    res = res.click("Open", href="status=open")
    assert set(first_column(res)) == {open_one.number, overdue.number}
    assert first_column(client.get("/invoices/?status=paid")) == [paid.number]
    res = client.get("/invoices/?status=overdue")
    assert first_column(res) == [overdue.number]
    assert "Overdue" in BeautifulSoup(res.text, "html.parser").select_one("tbody").get_text()

    form = client.get("/invoices/?status=all").forms["invoice-search"]
    form["q"] = paid.number
    res = form.submit()
    assert first_column(res) == [paid.number]
    res = client.get("/invoices/?status=open&q=NO-SUCH")
    assert first_column(res) == []
    assert "No invoices match" in res.text


def test_overdue_badge_only_on_overdue_invoices(signed_in_a, make):
    client, a, _ = signed_in_a
    make.invoice(a, due_in_days=3)
    res = client.get("/invoices/")
    assert "badge-overdue" not in res.text
    make.invoice(a, due_in_days=-3)
    assert client.get("/invoices/").text.count('class="badge badge-overdue"') == 1


def test_open_and_overdue_totals_at_the_top(signed_in_a, make):
    client, a, b = signed_in_a
    make.invoice(a, total="100.00", due_in_days=10)
    make.invoice(a, total="250.00", due_in_days=-10, status=InvoiceStatus.partially_paid,
                 amount_paid=Decimal("50.00"))
    make.invoice(a, total="999.00", status=InvoiceStatus.paid, amount_paid=Decimal("999.00"))
    make.invoice(b, total="5000.00", due_in_days=-10)
    res = client.get("/invoices/?status=paid")  # the totals do not depend on the tab
    assert stat(res, "open-total") == "€300.00"
    assert stat(res, "overdue-total") == "€200.00"


def test_credit_notes_lower_the_balances_and_the_totals_at_the_top(signed_in_a, make):
    client, a, _ = signed_in_a
    late = make.invoice(a, total="250.00", due_in_days=-10)
    make.invoice(a, total="100.00", due_in_days=10)
    make.credit_note(a, late, total="50.00")          # against the late invoice
    make.credit_note(a, None, total="30.00")          # company credit
    make.credit_note(a, None, total="999.00", status=CreditNoteStatus.draft)
    res = client.get("/invoices/")
    assert stat(res, "open-total") == "€270.00"       # 350 - 50 - 30
    assert stat(res, "overdue-total") == "€170.00"    # 250 - 50, then the company credit
    assert stat(res, "company-credit") == "€30.00"
    row = next(r for r in BeautifulSoup(res.text, "html.parser").select("tbody tr")
               if r.select_one("td").get_text(strip=True) == late.number)
    assert row.select("td.num")[-1].get_text(strip=True) == "€200.00"
    assert stat(client.get(f"/invoices/{late.id}"), "balance-due") == "€200.00"


def test_overdue_tab_and_badges_follow_the_clock(signed_in_a, make):
    client, a, _ = signed_in_a
    invoice = make.invoice(a, due_in_days=2)
    assert first_column(client.get("/invoices/?status=overdue")) == []
    with clock.frozen(clock.today() + timedelta(days=3)):
        res = client.get("/invoices/?status=overdue")
        assert first_column(res) == [invoice.number]
        assert "badge-overdue" in res.text
        assert stat(res, "overdue-total") == "€121.00"
        assert "badge-overdue" in client.get(f"/invoices/{invoice.id}").text


def test_money_shows_with_the_currency_symbol_even_when_prices_are_hidden(testapp, make, login):
    company = make.company(currency="GBP")
    invoice = make.invoice(company, total="1210.00")
    login(testapp, make.contact(company))
    settings.save({"prices.hide": True})
    res = testapp.get("/invoices/")
    assert "£1,210.00" in res.text
    assert "£1,210.00" in testapp.get(f"/invoices/{invoice.id}").text


def test_drafts_are_not_shown(signed_in_a, make):
    client, a, _ = signed_in_a
    draft = make.invoice(a, status=InvoiceStatus.draft)
    draft_note = make.credit_note(a, status=CreditNoteStatus.draft)
    assert draft.number not in client.get("/invoices/").text
    assert client.get(f"/invoices/{draft.id}", expect_errors=True).status_int == 404
    assert draft_note.number not in client.get("/invoices/credit-notes").text
    assert client.get(f"/invoices/credit-notes/{draft_note.id}", expect_errors=True).status_int == 404


def test_empty_states(signed_in_a):
    client, _, _ = signed_in_a
    assert "You have no invoices yet." in client.get("/invoices/").text
    assert "You have no credit notes." in client.get("/invoices/credit-notes").text
    assert "No payments received yet." in client.get("/invoices/receipts").text


def test_list_paginates_25_per_page_newest_first(signed_in_a, make):
    client, a, _ = signed_in_a
    made = [make.invoice(a, issue_date=clock.today() - timedelta(days=40 - i)) for i in range(27)]
    newest_first = [inv.number for inv in reversed(made)]
    res = client.get("/invoices/")
    assert first_column(res) == newest_first[:25]
    assert "Page 1" in res.text and "Newer" not in res.text
    res = res.click("Older")
    assert first_column(res) == newest_first[25:]


# --- credit notes and receipts ---------------------------------------------------------------------

def test_credit_notes_list_and_detail(signed_in_a, make):
    client, a, b = signed_in_a
    invoice = make.invoice(a)
    note = make.credit_note(a, invoice, total="30.25", description="Returned pallet")
    theirs = make.credit_note(b, total="88.00")

    res = client.get("/invoices/credit-notes")
    assert first_column(res) == [note.number]
    assert invoice.number in res.text and theirs.number not in res.text
    res = res.click(note.number)
    assert "Returned pallet" in res.text and "€30.25" in res.text
    assert res.click(invoice.number).request.path == f"/invoices/{invoice.id}"
    assert client.get(f"/invoices/credit-notes/{theirs.id}", expect_errors=True).status_int == 404


def test_receipts_list_payments_with_links_to_their_invoices(signed_in_a, make):
    client, a, b = signed_in_a
    invoice = make.invoice(a)
    first = make.payment(a, invoice, amount="40.00", received_date=clock.today() - timedelta(days=3))
    second = make.payment(a, invoice, amount="81.00", method=PaymentMethod.direct_debit)
    theirs = make.payment(b, amount="999.00")

    res = client.get("/invoices/receipts")
    assert first_column(res) == [second.number, first.number]
    assert "Direct debit" in res.text and "€81.00" in res.text
    assert theirs.number not in res.text and "999.00" not in res.text
    assert res.click(invoice.number, index=0).request.path == f"/invoices/{invoice.id}"


# --- who may see them ----------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["Viewer", "Finance", "Admin"])
def test_roles_with_the_view_permission_see_invoices(testapp, make, login, role):
    company = make.company()
    invoice = make.invoice(company)
    login(testapp, make.contact(company, role=role))
    for url in URLS + (f"/invoices/{invoice.id}",):
        assert testapp.get(url).status_int == 200


def test_role_without_the_view_permission_gets_403_and_no_nav_entry(testapp, make, login, db):
    company = make.company()
    invoice = make.invoice(company)
    note = make.credit_note(company)
    take_permission_away(db, make, "Viewer", "invoices.view")
    res = login(testapp, make.contact(company, role="Viewer"))
    assert 'href="/invoices/"' not in res.text
    for url in URLS + (f"/invoices/{invoice.id}", f"/invoices/credit-notes/{note.id}"):
        assert testapp.get(url, expect_errors=True).status_int == 403, url


def test_feature_off_is_404_everywhere(signed_in_a, make):
    client, a, _ = signed_in_a
    invoice = make.invoice(a)
    note = make.credit_note(a, invoice)
    assert 'href="/invoices/"' in client.get("/dashboard").text
    settings.set_feature("invoices", False)
    for url in URLS + (f"/invoices/{invoice.id}", f"/invoices/credit-notes/{note.id}"):
        assert client.get(url, expect_errors=True).status_int == 404, url
    assert 'href="/invoices/"' not in client.get("/dashboard").text


def test_supplier_only_company_has_no_invoice_pages(testapp, make, login):
    supplier = make.supplier()
    login(testapp, make.contact(supplier, role="Admin"), expect_success=False)
    assert testapp.get("/invoices/", expect_errors=True).status_int == 404


def test_signed_out_visitor_is_sent_to_sign_in(testapp, make):
    invoice = make.invoice(make.company())
    res = testapp.get(f"/invoices/{invoice.id}")
    assert res.status_int == 302 and "/login" in res.location


# --- performance ---------------------------------------------------------------------------------

def _queries_for(client, db, count_queries, url) -> int:
    db.session.expire_all()
    with count_queries() as counter:
        client.get(url)
    return counter.count


@pytest.mark.parametrize("url", ["/invoices/", "/invoices/receipts", "/invoices/credit-notes"])
def test_list_pages_run_the_same_number_of_queries_for_3_or_20_rows(signed_in_a, make, db, count_queries, url):
    client, a, _ = signed_in_a

    def add(n):
        for _ in range(n):
            invoice = make.invoice(a)
            make.payment(a, invoice)
            make.credit_note(a, invoice)

    add(3)
    client.get(url)  # warm up
    few = _queries_for(client, db, count_queries, url)
    add(17)
    many = _queries_for(client, db, count_queries, url)
    assert len(first_column(client.get(url))) == 20
    assert few == many
