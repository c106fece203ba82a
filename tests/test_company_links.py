"""A link about one company's document (?company=<id>, as emails write them) opens it for a person who
works for several companies or acts for several customers: switched first when they may use it, the
page shown without the parameter; nobody is switched to a company they may not use."""
from __future__ import annotations

from urllib.parse import urlsplit

from portal.models import AuditLog
from portal.services import mailer


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def test_a_link_to_the_other_companys_invoice_switches_and_shows_it(app, testapp, make, login, db):
    alpha, beta = make.company(name="Alpha Tools"), make.company(name="Beta Supplies")
    user = make.contact(alpha, role="Finance")
    make.membership(user, beta, role="Finance")
    invoice = make.invoice(beta)
    login(testapp, user)
    assert "Alpha Tools" in testapp.get("/dashboard").text
    with app.test_request_context("/"):
        link = mailer.company_url("invoices.detail", beta.id, invoice_id=invoice.id)
    assert f"company={beta.id}" in link

    res = testapp.get(_path(link))
    assert res.status_int == 302 and urlsplit(res.location).path == f"/invoices/{invoice.id}"
    assert "company=" not in res.location
    page = res.follow()
    assert invoice.number in page.text and "You are now working for Beta Supplies." in page.text
    assert db.session.query(AuditLog).filter_by(action="company.switched", company_id=beta.id).count() == 1


def test_a_link_for_the_company_already_chosen_only_drops_the_parameter(testapp, make, login, db):
    company = make.company()
    user = make.contact(company, role="Finance")
    invoice = make.invoice(company)
    login(testapp, user)
    res = testapp.get(f"/invoices/?status=open&company={company.id}")
    assert res.status_int == 302 and _path(res.location).endswith("/invoices/?status=open")
    assert "You are now working for" not in res.follow().text
    assert invoice.number in testapp.get(f"/invoices/{invoice.id}").text


def test_a_company_one_may_not_use_switches_nothing(testapp, make, login, db):
    alpha, stranger = make.company(name="Alpha Tools"), make.company(name="Gamma Trading")
    user = make.contact(alpha, role="Finance")
    theirs = make.invoice(stranger)
    login(testapp, user)
    res = testapp.get(f"/invoices/{theirs.id}?company={stranger.id}")
    assert res.status_int == 302
    testapp.get(res.location, status=404)
    dashboard = testapp.get("/dashboard").text
    assert "Alpha Tools" in dashboard and "Gamma Trading" not in dashboard
    for junk in ("abc", "-1", "0", "99999999999999999999"):
        assert testapp.get(f"/dashboard?company={junk}").status_int == 302
    assert db.session.query(AuditLog).filter_by(action="company.switched").count() == 0


def test_signing_in_from_the_link_lands_on_the_document_of_that_company(testapp, make, db):
    alpha, beta = make.company(name="Alpha Tools"), make.company(name="Beta Supplies")
    user = make.contact(alpha, role="Finance", password="a long enough password 1")
    make.membership(user, beta, role="Finance")
    invoice = make.invoice(beta)
    res = testapp.get(f"/invoices/{invoice.id}?company={beta.id}")
    assert res.status_int == 302 and "/login" in res.location
    form = res.follow().forms["login"]
    form["email"], form["password"] = user.email, "a long enough password 1"
    res = form.submit()
    while res.status_int == 302:
        res = res.follow()
    assert invoice.number in res.text and "Beta Supplies" in res.text


def test_a_rep_acts_for_the_linked_customer_only_when_allocated(testapp, make, login, db):
    mine, other, not_mine = (make.company(name=n) for n in ("Mine Ltd", "Other Ltd", "Not Mine Ltd"))
    rep = make.rep(allocated=[mine, other])
    order, foreign = make.order(other, customer_reference="REF-OTHER"), make.order(not_mine)
    login(testapp, rep)
    res = testapp.get(f"/orders/{order.id}?company={other.id}")
    page = res.follow()
    assert "REF-OTHER" in page.text and "You are now acting for Other Ltd." in page.text
    res = testapp.get(f"/orders/{foreign.id}?company={not_mine.id}")
    testapp.get(res.location, status=404)
    assert db.session.query(AuditLog).filter_by(action="rep.act_for", company_id=not_mine.id).count() == 0


def test_a_form_posted_to_a_link_switches_nothing(testapp, make, login, db):
    alpha, beta = make.company(name="Alpha Tools"), make.company(name="Beta Supplies")
    user = make.contact(alpha, role="Buyer")
    make.membership(user, beta, role="Buyer")
    make.order(beta, customer_reference="BETA-REF-1")
    login(testapp, user)
    form = testapp.get("/account").forms["profile"]
    form.action = f"/account?company={beta.id}"
    form.submit()
    assert "BETA-REF-1" not in testapp.get("/orders/").text
    assert db.session.query(AuditLog).filter_by(action="company.switched").count() == 0
