"""The statement of account (portal.services.statement) and the ageing of what is open
(receivables.ageing): the rules table-driven, then the page, its PDF and its CSV over HTTP, who may see
them, and the dashboard's ageing block."""
from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import delete, select

from portal import settings
from portal.models import CreditNoteStatus, InvoiceStatus, PaymentMethod, PortalEvent, RoleGrant
from portal.money import money
from portal.services import clock, receivables, roles, statement
from tests.test_quote_pdf import pdf_text

D = Decimal
TODAY = date(2026, 6, 15)
MONEY = re.compile(r"-?€[\d,]+\.\d\d")
START, END = date(2026, 3, 1), date(2026, 5, 31)


def invoice(make, company, total, issued, due=None, status=InvoiceStatus.open, **kw):
    made = make.invoice(company, total=total, status=status, issue_date=issued, **kw)
    made.due_date = due or issued + timedelta(days=30)
    return made


def ledger_of(company, start=START, end=END, today=TODAY, currency=None):
    found = statement.statement_for(company, start, end, today)
    return next(le for le in found.ledgers if le.currency == (currency or company.currency))


def entries(ledger):
    return [(e.number, e.debit, e.credit, e.balance) for e in ledger.entries]


# --- the range ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "end", "expected"), [
    ("", "", (date(2026, 1, 1), TODAY)),                      # the defaults: the start of the year to today
    (None, None, (date(2026, 1, 1), TODAY)),
    ("2026-02-01", "", (date(2026, 2, 1), TODAY)),
    ("2025-03-05", "2025-03-05", (date(2025, 3, 5), date(2025, 3, 5))),  # one day
    ("2021-06-15", "2026-06-15", (date(2021, 6, 15), TODAY)),  # exactly five years
    ("2024-02-29", "2029-02-28", (date(2024, 2, 29), date(2029, 2, 28))),
    ("9998-01-01", "9999-12-31", (date(9998, 1, 1), date(9999, 12, 31))),  # the calendar's end: no error
    ("0001-01-01", "0001-01-02", (date(1, 1, 1), date(1, 1, 2))),
])
def test_the_range_defaults_to_this_year_and_takes_iso_dates(start, end, expected):
    assert statement.parse_range(start, end, TODAY) == expected


@pytest.mark.parametrize(("start", "end", "field", "says"), [
    ("2026-05-01", "2026-04-30", "from", "The start date is after the end date"),
    ("2021-06-14", "2026-06-15", "from", "at most 5 years"),
    ("2026-02-30", "", "from", "The start date “2026-02-30” is not a date"),
    ("", "15/06/2026", "to", "The end date “15/06/2026” is not a date"),
    ("2026-1-1", "", "from", "Use the form YYYY-MM-DD"),
    ("<script>", "", "from", "is not a date"),
])
def test_a_bad_range_is_refused_with_a_clear_message(start, end, field, says):
    with pytest.raises(statement.StatementRangeError) as refused:
        statement.parse_range(start, end, TODAY)
    assert says in str(refused.value) and refused.value.field == field


# --- the ledger ----------------------------------------------------------------------------------------

def test_opening_balance_is_everything_before_the_range(db, make):
    company = make.company()
    invoice(make, company, "100.00", date(2026, 1, 10))
    invoice(make, company, "50.00", date(2026, 2, 28))                    # the day before the start
    make.payment(company, amount="30.00", received_date=date(2026, 2, 1))
    make.credit_note(company, total="5.00", issue_date=date(2026, 2, 2))
    first_day = invoice(make, company, "7.00", date(2026, 3, 1))           # the start: in the range
    ledger = ledger_of(company)
    assert ledger.opening == D("115.00")
    assert entries(ledger) == [(first_day.number, D("7.00"), D("0.00"), D("122.00"))]
    assert ledger.closing == D("122.00")


def test_running_balance_in_date_order_with_credit_notes_and_partial_payments(db, make):
    company = make.company()
    first = invoice(make, company, "121.00", date(2026, 3, 10))
    second = invoice(make, company, "200.00", date(2026, 4, 1))
    part = make.payment(company, first, amount="21.00", received_date=date(2026, 3, 20))
    rest = make.payment(company, first, amount="80.00", received_date=date(2026, 4, 1))  # same day as `second`
    against = make.credit_note(company, first, total="20.00", issue_date=date(2026, 4, 5))
    company_credit = make.credit_note(company, total="15.00", issue_date=date(2026, 5, 31))  # the last day
    on_account = make.payment(company, amount="10.00", received_date=date(2026, 5, 2), method=PaymentMethod.cash)
    ledger = ledger_of(company)
    assert entries(ledger) == [
        (first.number, D("121.00"), D("0.00"), D("121.00")),
        (part.number, D("0.00"), D("21.00"), D("100.00")),
        (second.number, D("200.00"), D("0.00"), D("300.00")),   # on the same day: the invoice first
        (rest.number, D("0.00"), D("80.00"), D("220.00")),
        (against.number, D("0.00"), D("20.00"), D("200.00")),
        (on_account.number, D("0.00"), D("10.00"), D("190.00")),
        (company_credit.number, D("0.00"), D("15.00"), D("175.00")),
    ]
    assert (ledger.opening, ledger.closing) == (D("0.00"), D("175.00"))
    assert (ledger.total_debit, ledger.total_credit) == (D("321.00"), D("146.00"))
    described = {e.number: e.description for e in ledger.entries}
    assert described[against.number] == f"Credit note for {first.number}"
    assert described[company_credit.number] == "Credit note, company credit"
    assert described[part.number] == f"Payment by bank transfer for {first.number}"
    assert described[on_account.number] == "Payment by cash, on account"


@pytest.mark.parametrize(("status", "counted"), [
    (InvoiceStatus.draft, False), (InvoiceStatus.void, False), (InvoiceStatus.open, True),
    (InvoiceStatus.partially_paid, True), (InvoiceStatus.paid, True)])
def test_draft_and_void_invoices_are_not_on_the_statement(db, make, status, counted):
    company = make.company()
    made = invoice(make, company, "99.00", date(2026, 1, 5), status=status)
    invoice(make, company, "1.00", date(2026, 4, 5), status=status)
    ledger = ledger_of(company)
    assert ledger.opening == (D("99.00") if counted else D("0.00"))
    assert (made.number in {e.number for e in ledger_of(company, start=date(2026, 1, 1)).entries}) is counted


@pytest.mark.parametrize(("status", "counted"), [
    (CreditNoteStatus.draft, False), (CreditNoteStatus.void, False),
    (CreditNoteStatus.issued, True), (CreditNoteStatus.applied, True)])
def test_only_issued_and_applied_credit_notes_count(db, make, status, counted):
    company = make.company()
    invoice(make, company, "100.00", date(2026, 3, 2))
    make.credit_note(company, total="25.00", status=status, issue_date=date(2026, 3, 3))
    assert ledger_of(company).closing == (D("75.00") if counted else D("100.00"))


def test_a_payment_for_a_draft_invoice_shows_on_account_and_names_no_draft(db, make):
    company = make.company()
    draft = invoice(make, company, "40.00", date(2026, 3, 2), status=InvoiceStatus.draft)
    make.payment(company, draft, amount="40.00", received_date=date(2026, 3, 3))
    [entry] = ledger_of(company).entries
    assert entry.description == "Payment by bank transfer, on account" and draft.number not in entry.description


def test_one_ledger_per_currency_and_never_another_companys_documents(db, make):
    company = make.company(currency="EUR")
    other = make.company()
    eur = invoice(make, company, "100.00", date(2026, 3, 2))
    usd = invoice(make, company, "70.00", date(2026, 3, 3), currency="USD")
    invoice(make, other, "999.00", date(2026, 3, 4))
    make.payment(other, amount="555.00", received_date=date(2026, 3, 4))
    found = statement.statement_for(company, START, END, TODAY)
    assert [le.currency for le in found.ledgers] == ["EUR", "USD"]   # the company's own currency first
    assert [entries(le) for le in found.ledgers] == [[(eur.number, D("100.00"), D("0.00"), D("100.00"))],
                                                     [(usd.number, D("70.00"), D("0.00"), D("70.00"))]]


def test_a_company_without_documents_gets_its_own_currency_at_zero(db, make):
    found = statement.statement_for(make.company(currency="GBP"), START, END, TODAY)
    [ledger] = found.ledgers
    assert (ledger.currency, ledger.opening, ledger.entries, ledger.closing, ledger.ageing.total) == (
        "GBP", D("0.00"), (), D("0.00"), D("0.00"))


# --- ageing: exact day edges with a controlled clock -------------------------------------------------

@pytest.mark.parametrize(("days_overdue", "bucket"), [
    (-5, "current"), (0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"),
    (61, "61-90"), (90, "61-90"), (91, "90+"), (400, "90+")])
def test_ageing_buckets_on_exact_day_edges(db, make, days_overdue, bucket):
    company = make.company()
    made = invoice(make, company, "100.00", date(2025, 1, 1), due=TODAY - timedelta(days=days_overdue))
    made.amount_paid = D("40.00")
    made.status = InvoiceStatus.partially_paid
    assert receivables.ageing_bucket(days_overdue) == bucket
    with clock.frozen(TODAY):
        [ageing] = receivables.ageing(company)
        assert receivables.is_overdue(made) is (bucket != "current")
    assert {key: amount for key, _, amount in ageing.rows() if amount} == {bucket: D("60.00")}
    # a day later it has aged one day
    with clock.frozen(TODAY + timedelta(days=1)):
        [later] = receivables.ageing(company)
    assert {key for key, _, amount in later.rows() if amount} == {receivables.ageing_bucket(days_overdue + 1)}


def test_ageing_counts_only_what_is_open_and_takes_company_credit_off_the_most_overdue_first(db, make):
    company = make.company()
    invoice(make, company, "100.00", date(2026, 6, 1), due=TODAY)                          # current
    invoice(make, company, "50.00", date(2026, 1, 1), due=TODAY - timedelta(days=45))     # 31-60
    invoice(make, company, "30.00", date(2026, 1, 1), due=TODAY - timedelta(days=100))    # 90+
    invoice(make, company, "999.00", date(2026, 1, 1), due=TODAY - timedelta(days=100), status=InvoiceStatus.paid,
            amount_paid=D("999.00"))
    invoice(make, company, "888.00", date(2026, 1, 1), due=TODAY - timedelta(days=100), status=InvoiceStatus.void)
    invoice(make, company, "777.00", date(2026, 1, 1), due=TODAY - timedelta(days=100), status=InvoiceStatus.draft)
    make.credit_note(company, total="40.00")                                                # company credit
    [ageing] = receivables.ageing(company, TODAY)
    assert ageing.amounts == (D("100.00"), D("0.00"), D("40.00"), D("0.00"), D("0.00"))
    assert (ageing.total, ageing.credit, ageing.overdue) == (D("140.00"), D("40.00"), D("40.00"))
    [outstanding] = receivables.outstanding(company, TODAY)
    assert (outstanding.open_total, outstanding.overdue_total) == (ageing.total, ageing.overdue)


# --- over HTTP: the page, the form, the PDF and the CSV agree ------------------------------------------

@pytest.fixture
def finance(testapp, make, login):
    company = make.company(name="Gamma Goods", currency="EUR")
    login(testapp, make.contact(company, role="Finance", name="Fay Finance"))
    return testapp, company


def _book(make, company):
    """Documents before, in and after the statement range (payments kept on their invoices as the back
    office does); something open in every ageing bucket but 31-60."""
    old = invoice(make, company, "500.00", date(2025, 12, 1), due=date(2025, 12, 31),
                  status=InvoiceStatus.partially_paid, amount_paid=D("200.00"))
    make.payment(company, old, amount="200.00", received_date=date(2025, 12, 20))
    first = invoice(make, company, "1210.00", date(2026, 3, 5), due=date(2026, 4, 4),
                    status=InvoiceStatus.partially_paid, amount_paid=D("1000.00"))
    make.payment(company, first, amount="1000.00", received_date=date(2026, 3, 25))
    make.credit_note(company, first, total="60.50", issue_date=date(2026, 4, 2))
    invoice(make, company, "80.00", date(2026, 5, 10), due=date(2026, 6, 9))
    invoice(make, company, "42.00", date(2026, 6, 1))  # after the range: not on it, but open today
    make.credit_note(company, total="12.00", issue_date=date(2026, 5, 20))


def page_figures(res) -> dict:
    html = BeautifulSoup(res.text, "html.parser")
    rows = [(tr["data-number"], tr.select_one(".debit").get_text(strip=True),
             tr.select_one(".credit").get_text(strip=True), tr.select_one(".balance").get_text(strip=True))
            for tr in html.select("tr.entry")]
    found = {"rows": rows}
    for testid in ("opening-EUR", "closing-EUR", "ageing-total-EUR"):
        found[testid] = html.select_one(f'[data-testid="{testid}"]').get_text(strip=True)
    return found


def test_finance_picks_a_range_and_page_pdf_and_csv_show_the_same_figures(finance, make, db):
    client, company = finance
    _book(make, company)
    with clock.frozen(TODAY):
        page = client.get("/invoices/").click(description="Statement")
        assert page.forms["statement-range"]["from"].value == "2026-01-01"
        assert page.forms["statement-range"]["to"].value == TODAY.isoformat()
        form = page.forms["statement-range"]
        form["from"], form["to"] = START.isoformat(), END.isoformat()
        page = form.submit()
        shown = page_figures(page)
        assert shown["opening-EUR"] == "€300.00" and shown["closing-EUR"] == "€517.50"
        assert [r[3] for r in shown["rows"]] == ["€1,510.00", "€510.00", "€449.50", "€529.50", "€517.50"]
        assert shown["ageing-total-EUR"] == "€559.50"  # open today: 300 + 149.50 + 80 + 42 - 12 credit

        csv_res = page.click(description="Download CSV")
        pdf_res = page.click(description="Download PDF")
    assert csv_res.content_type == "text/csv"
    assert csv_res.headers["Content-Disposition"].startswith('attachment; filename="statement-')
    table = list(csv.reader(io.StringIO(csv_res.text)))
    assert table[0] == list(statement.CSV_HEADER)
    body = table[1:]
    assert body[0][2:] == ["Opening balance", "", "", "", "", "300.00"]
    entries_csv = [r for r in body if r[2] in ("Invoice", "Credit note", "Payment")]
    assert [(r[3], _shown(r[5]), _shown(r[6]), _shown(r[7])) for r in entries_csv] == shown["rows"]
    closing = next(r for r in body if r[2] == "Closing balance")
    assert _shown(closing[7]) == shown["closing-EUR"]
    ageing_csv = {r[4]: r[7] for r in body if r[2] == "Ageing"}
    assert _shown(str(sum(D(v) for v in ageing_csv.values()))) == shown["ageing-total-EUR"]
    assert ageing_csv["Over 90 days"] == "288.00"  # the old invoice's 300, less 12 company credit
    assert not any(cell.startswith(("=", "+", "@")) for row in table for cell in row)

    assert pdf_res.content_type == "application/pdf" and pdf_res.body.startswith(b"%PDF")
    text = pdf_text(pdf_res.body)
    # Each row's figures are the money between its number and the next row's (descriptions may wrap).
    marks = ["Opening", *(row[0] for row in shown["rows"]), "Closing", "Open today"]
    at = [text.index(mark) for mark in marks]
    chunks = [MONEY.findall(text[a:b]) for a, b in itertools.pairwise(at)]
    assert chunks[0] == [shown["opening-EUR"]]
    assert chunks[1:-1] == [[figure for figure in row[1:] if figure] for row in shown["rows"]]
    assert chunks[-1][-1] == shown["closing-EUR"]
    assert "Gamma Goods" in text and "01 Mar 2026 to 31 May 2026" in text
    [event] = db.session.execute(select(PortalEvent).filter_by(kind="statement_pdf_downloaded")).scalars()
    assert (event.company_id, event.data["start"], event.data["end"]) == (company.id, "2026-03-01", "2026-05-31")
    assert event.data["recipient_name"] == "Fay Finance"


def _shown(plain: str) -> str:
    return money(D(plain), "EUR") if plain else ""


@pytest.mark.parametrize(("start", "end", "says"), [
    ("2026-05-01", "2026-04-01", "The start date is after the end date"),
    ("2019-01-01", "2026-01-01", "at most 5 years"),
    ("yesterday", "", "is not a date"),
])
def test_a_bad_range_is_a_message_on_the_page_and_no_file(finance, start, end, says):
    client, _ = finance
    form = client.get("/invoices/statement").forms["statement-range"]
    form["from"], form["to"] = start, end
    res = form.submit(status=400)
    error = res.html.select_one('[data-testid="range-error"]').get_text(strip=True)
    assert says in error and not res.html.select("tr.entry")
    assert res.forms["statement-range"]["from"].value == start  # what they typed, to correct
    for kind in ("pdf", "csv"):
        res = client.get(f"/invoices/statement/{kind}", {"from": start, "to": end}, status=400)
        assert res.content_type == "text/html" and says in res.text


def test_a_company_billed_in_two_currencies_gets_a_ledger_for_each_on_the_page_and_in_the_csv(finance, make):
    client, company = finance
    eur = invoice(make, company, "100.00", date(2026, 3, 10))
    usd = invoice(make, company, "70.00", date(2026, 3, 11), currency="USD")
    with clock.frozen(TODAY):
        page = client.get("/invoices/statement")
        table = list(csv.reader(io.StringIO(client.get("/invoices/statement/csv").text)))
    assert [s["data-currency"] for s in page.html.select("section.ledger")] == ["EUR", "USD"]
    usd_section = page.html.select_one('section.ledger[data-currency="USD"]')
    assert usd.number in usd_section.text and eur.number not in usd_section.text
    assert usd_section.select_one('[data-testid="closing-USD"]').get_text(strip=True) == "$70.00"
    assert [(r[0], r[3], r[7]) for r in table if r[2] == "Invoice"] == [("EUR", eur.number, "100.00"),
                                                                     ("USD", usd.number, "70.00")]


def test_another_companys_documents_never_show(finance, make):
    client, company = finance
    other = make.company(name="Delta Other")
    theirs = invoice(make, other, "321.00", date(2026, 3, 10))
    mine = invoice(make, company, "123.00", date(2026, 3, 10))
    with clock.frozen(TODAY):
        res = client.get("/invoices/statement")
        csv_text = client.get("/invoices/statement/csv").text
    assert mine.number in res.text and mine.number in csv_text
    assert theirs.number not in res.text and theirs.number not in csv_text and "321.00" not in csv_text


# --- who may see it --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "allowed"), [("Admin", True), ("Finance", True), ("Buyer", False),
                                                ("Viewer", False)])
def test_admin_and_finance_see_the_statement_and_the_dashboard_ageing(testapp, make, login, role, allowed):
    company = make.company()
    invoice(make, company, "100.00", clock.today() - timedelta(days=50), due=clock.today() - timedelta(days=40))
    dashboard = login(testapp, make.contact(company, role=role))
    headings = [h.get_text(strip=True) for h in dashboard.html.select("main h2")]
    assert ("Ageing" in headings) is allowed
    if allowed:
        assert dashboard.html.select_one('[data-testid="ageing-total-EUR"]').get_text(strip=True) == "€100.00"
    invoices = testapp.get("/invoices/")
    assert ('href="/invoices/statement"' in invoices.text) is allowed
    for url in ("/invoices/statement", "/invoices/statement/csv", "/invoices/statement/pdf"):
        assert testapp.get(url, expect_errors=True).status_int == (200 if allowed else 403), url


def test_an_upgrade_gives_finance_the_statement_once_and_never_buyer_or_viewer(db, make):
    # an install from before the statement: Finance had invoices.view only, no grant recorded
    db.session.execute(delete(RoleGrant).where(RoleGrant.permission == "invoices.statement"))
    finance = make.role("Finance")
    finance.permissions = [p for p in finance.permissions if p != "invoices.statement"]
    db.session.flush()
    applied = roles.apply_grants()
    assert sorted(applied) == [("Admin", "invoices.statement"), ("Finance", "invoices.statement")]
    assert "invoices.statement" in make.role("Finance").permissions
    assert all("invoices.statement" not in make.role(name).permissions for name in ("Buyer", "Viewer"))
    # staff take it away again: the next upgrade leaves it away
    finance.permissions = [p for p in finance.permissions if p != "invoices.statement"]
    db.session.flush()
    assert roles.apply_grants() == [] and "invoices.statement" not in make.role("Finance").permissions


def test_the_statement_page_and_the_dashboard_cost_the_same_queries_for_3_or_30_documents(
        finance, make, db, count_queries):
    client, company = finance

    def add(n):
        for i in range(n):
            made = invoice(make, company, "10.00", clock.today() - timedelta(days=i), due=clock.today() - timedelta(days=i))
            make.payment(company, made, amount="1.00", received_date=clock.today())
            make.credit_note(company, made, total="1.00", issue_date=clock.today())

    def queries(url):
        db.session.expire_all()
        with count_queries() as counter:
            client.get(url)
        return counter.count

    with clock.frozen(TODAY):
        add(3)
        client.get("/dashboard")
        few = [queries(url) for url in ("/invoices/statement", "/dashboard")]
        add(27)
        assert [queries(url) for url in ("/invoices/statement", "/dashboard")] == few
        assert len(client.get("/invoices/statement").html.select("tr.entry")) == 90


def test_feature_off_takes_the_statement_and_the_ageing_block_with_it(finance):
    client, _ = finance
    assert "Ageing" in client.get("/dashboard").text
    settings.set_feature("invoices", False)
    for url in ("/invoices/statement", "/invoices/statement/csv", "/invoices/statement/pdf"):
        assert client.get(url, expect_errors=True).status_int == 404
    assert "Ageing" not in client.get("/dashboard").text
