"""Extra charges on orders: staff add them in the back office, the customer approves or rejects each on the
order page (when the company shows charges on the portal), staff are told, approved ones are invoiced once."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from webtest import TestApp

from portal.models import (
    AuditLog,
    ChargeStatus,
    Company,
    Invoice,
    Notification,
    NotificationRoute,
    OrderCharge,
    OutboxEmail,
)
from portal.services import credit_limit
from portal.services.outbox import deliver_due
from tests.fixtures_admin import delete_from_list, errors_of, model_form, submit_edit
from tests.fixtures_mail import link_in, text_of
from tests.test_admin_crud import count

TEAM = "sales@northwind.example"


@pytest.fixture
def acme(make, db):
    """A customer that approves charges on the portal: Anna (Admin), Bert (Buyer), Vera (Viewer), Fay (Finance);
    one order of 121.00. Otto is the Admin of another company, with an order of his own."""
    company = make.company(name="Acme Tools", show_charges_on_portal=True)
    company.people = {"anna": make.contact(company, role="Admin", name="Anna Admin", email="anna@acme.example"),
                      "bert": make.contact(company, role="Buyer", name="Bert Buyer", email="bert@acme.example"),
                      "vera": make.contact(company, role="Viewer", name="Vera Viewer", email="vera@acme.example"),
                      "fay": make.contact(company, role="Finance", name="Fay Finance", email="fay@acme.example")}
    company.order = make.order(company, total="121.00")
    other = make.company(name="Other Ltd", show_charges_on_portal=True)
    company.otto = make.contact(other, role="Admin", name="Otto", email="otto@other.example")
    company.other_order = make.order(other)
    return company


def add_charge(admin, order, kind="freight", description="Pallet delivery to site", amount="25.00", tax_rate="21"):
    form = model_form(admin.get("/admin/order-charge/new/"))
    form["order"] = str(order.id)
    form["kind"] = kind
    form["description"] = description
    form["amount"] = amount
    form["tax_rate"] = tax_rate
    return form.submit()


def charge_of(db, description: str) -> OrderCharge:
    db.session.expire_all()
    return db.session.execute(select(OrderCharge).filter_by(description=description)).scalar_one()


def customer(testapp, login, user) -> TestApp:
    client = TestApp(testapp.app)
    login(client, user)
    return client


def new_invoice(admin, company, order):
    form = model_form(admin.get("/admin/invoice/new/"))
    form["company"] = str(company.id)
    form["order"] = str(order.id)
    form["status"] = "open"
    return form.submit().follow()


def invoices_of(db, order) -> list[Invoice]:
    db.session.expire_all()
    return list(db.session.execute(select(Invoice).filter_by(order_id=order.id).order_by(Invoice.id)).scalars())


def test_staff_add_charges_the_customer_approves_one_rejects_one_and_only_the_approved_one_is_invoiced_once(
        admin, testapp, login, db, make, staff, acme, mail_app, smtp_server):
    db.session.add_all([NotificationRoute(kind="charge_approved", recipient_user_id=staff.id, team_email=TEAM),
                        NotificationRoute(kind="charge_rejected", recipient_user_id=staff.id, team_email=TEAM)])
    db.session.commit()
    order = acme.order
    added = add_charge(admin, order).follow()
    assert "The customer is asked to approve the charge" in added.text
    add_charge(admin, order, kind="waiting_time", description="Driver waited an hour", amount="40.00").follow()
    freight, waiting = charge_of(db, "Pallet delivery to site"), charge_of(db, "Driver waited an hour")
    assert (freight.status, freight.total, freight.created_by_id) == (ChargeStatus.proposed, Decimal("30.25"), staff.id)

    # every contact who may see the order is emailed about each charge; the link opens the order's charges
    deliver_due(mail_app)
    [email, _second] = smtp_server.to("anna@acme.example")
    assert f"Order {order.number}: an extra charge to approve" in email["Subject"]
    assert "Freight, Pallet delivery to site, €30.25 (including tax)" in " ".join(text_of(email).split())
    assert len(smtp_server.to("vera@acme.example")) == 2 and not smtp_server.to("otto@other.example")

    anna = customer(testapp, login, acme.people["anna"])
    page = anna.get(link_in(email, "/orders/")).maybe_follow()  # the link names the company: one redirect
    rows = page.html.select("#charges tbody tr")
    assert [r["data-status"] for r in rows] == ["proposed", "proposed"]
    assert "Pallet delivery to site" in page.text and "Driver waited an hour" in page.text

    form = page.forms[f"decide-charge-{freight.id}"]
    done = form.submit("decision", value="approve").follow()
    assert "You approved the charge “Pallet delivery to site”" in done.text
    refused = done.forms[f"decide-charge-{waiting.id}"].submit("decision", value="reject").follow()
    assert "Say why you reject this charge" in refused.text
    assert charge_of(db, "Driver waited an hour").status == ChargeStatus.proposed
    form = refused.forms[f"decide-charge-{waiting.id}"]
    form["comment"] = "The driver came two hours early."
    page = form.submit("decision", value="reject").follow()
    assert "You rejected the charge “Driver waited an hour”" in page.text

    freight, waiting = charge_of(db, "Pallet delivery to site"), charge_of(db, "Driver waited an hour")
    assert (freight.status, freight.decided_by_id) == (ChargeStatus.approved, acme.people["anna"].id)
    assert (waiting.status, waiting.customer_comment) == (ChargeStatus.rejected, "The driver came two hours early.")
    assert [r["data-status"] for r in page.html.select("#charges tbody tr")] == ["approved", "rejected"]
    assert not page.html.select("form.charge-decision")
    # the order's totals: the order's own, its approved charges, both together
    assert "30.25" in page.html.select_one("#total-charges").text
    assert "151.25" in page.html.select_one("#total-with-charges").text
    timeline = page.html.select_one(".deal-timeline").get_text(" ", strip=True)
    assert 'Charge "Pallet delivery to site" approved by Anna Admin' in timeline
    assert 'Charge "Driver waited an hour" rejected by Anna Admin' in timeline
    assert "The driver came two hours early." in timeline

    # staff are told: the team mailbox by email, the staff member in the app too
    deliver_due(mail_app)
    notices = [text_of(m) for m in smtp_server.to(TEAM)]
    assert len(notices) == 2
    assert any("approved the charge" in n and "Pallet delivery to site" in n for n in notices)
    assert any("rejected the charge" in n and "The driver came two hours early." in n for n in notices)
    assert any(f"/admin/order-charge/details/?id={freight.id}" in n for n in notices)
    assert count(db, Notification, Notification.user_id == staff.id,
                 Notification.kind.in_(("charge_approved", "charge_rejected"))) == 2

    # the invoice staff create for the order bills the approved charge, not the rejected one; a second
    # invoice for the order bills nothing again
    new_invoice(admin, acme, order)
    [invoice] = invoices_of(db, order)
    assert [(ln.description, ln.unit_price, ln.tax_rate) for ln in invoice.lines] == [
        ("Freight: Pallet delivery to site", Decimal("25.00"), Decimal("21.00"))]
    assert invoice.total == Decimal("30.25")
    assert charge_of(db, "Pallet delivery to site").status == ChargeStatus.invoiced
    assert charge_of(db, "Pallet delivery to site").invoice_id == invoice.id
    new_invoice(admin, acme, order)
    first, second = invoices_of(db, order)
    assert [ln.description for ln in first.lines] == ["Freight: Pallet delivery to site"]
    assert second.lines == [] and second.total == Decimal("0.00")
    assert charge_of(db, "Driver waited an hour").status == ChargeStatus.rejected


@pytest.mark.parametrize("amount, message", [("0", "Enter an amount above zero."),
                                             ("-5", "Must be zero or more."),
                                             ("12.345", "Use at most 2 decimals."),
                                             ("lots", "Not a valid decimal value")])
def test_a_bad_amount_is_explained_and_adds_nothing(admin, db, acme, amount, message):
    page = add_charge(admin, acme.order, amount=amount)
    assert message in errors_of(page)
    assert count(db, OrderCharge) == 0 and count(db, OutboxEmail) == 0


def test_staff_change_a_proposed_charge_but_not_a_decided_one(admin, testapp, login, db, acme):
    add_charge(admin, acme.order).follow()
    charge = charge_of(db, "Pallet delivery to site")
    submit_edit(admin, "order-charge", charge.id, amount="30.00").follow()
    assert charge_of(db, "Pallet delivery to site").total == Decimal("36.30")

    anna = customer(testapp, login, acme.people["anna"])
    anna.get(f"/orders/{acme.order.id}").forms[f"decide-charge-{charge.id}"].submit("decision", value="approve")
    page = submit_edit(admin, "order-charge", charge.id, amount="99.00")
    assert "This charge is approved: it can no longer be changed." in errors_of(page)
    assert charge_of(db, "Pallet delivery to site").amount == Decimal("30.00")
    listing = admin.get(f"/admin/order-charge/for-order/?id={acme.order.id}").follow()
    form = next(f for f in listing.forms.values() if f.action.endswith("/delete/") and f["id"].value == str(charge.id))
    assert "it can no longer be removed" in form.submit().follow().text
    assert count(db, OrderCharge) == 1


def test_a_proposed_charge_can_be_removed_and_the_company_setting_is_on_the_company_screen(admin, db, acme):
    add_charge(admin, acme.order).follow()
    add_charge(admin, acme.other_order, description="Other company's freight").follow()
    charge = charge_of(db, "Pallet delivery to site")
    # the sales order list links each order to its charges
    orders = admin.get("/admin/sales-order/")
    link = next(a["href"] for a in orders.html.select("a[href*='/admin/order-charge/for-order/']")
                if a["href"].endswith(f"id={acme.order.id}"))
    listing = admin.get(link).follow()
    assert "Pallet delivery to site" in listing.text and "Other company" not in listing.text
    form = next(f for f in listing.forms.values() if f.action.endswith("/delete/") and f["id"].value == str(charge.id))
    form.submit().follow()
    assert count(db, OrderCharge) == 1
    submit_edit(admin, "company", acme.id, show_charges_on_portal=False).follow()
    db.session.expire_all()
    assert db.session.get(Company, acme.id).show_charges_on_portal is False


def test_another_company_finds_neither_the_order_nor_its_charges(admin, testapp, login, db, acme):
    add_charge(admin, acme.order).follow()
    charge = charge_of(db, "Pallet delivery to site")
    otto = customer(testapp, login, acme.otto)
    token = otto.get(f"/orders/{acme.other_order.id}").html.select_one('input[name="csrf_token"]')["value"]
    otto.get(f"/orders/{acme.order.id}", status=404)
    otto.post(f"/orders/{acme.order.id}/charges/{charge.id}", {"csrf_token": token, "decision": "approve"}, status=404)
    # his own order with the other company's charge id forged in
    otto.post(f"/orders/{acme.other_order.id}/charges/{charge.id}", {"csrf_token": token, "decision": "approve"},
              status=404)
    assert charge_of(db, "Pallet delivery to site").status == ChargeStatus.proposed


@pytest.mark.parametrize("person", ["vera", "fay"])
def test_viewer_and_finance_see_charges_but_may_not_decide(admin, testapp, login, db, acme, person):
    add_charge(admin, acme.order).follow()
    charge = charge_of(db, "Pallet delivery to site")
    client = customer(testapp, login, acme.people[person])
    page = client.get(f"/orders/{acme.order.id}")
    assert "Pallet delivery to site" in page.text and not page.html.select("form.charge-decision")
    token = page.html.select_one('input[name="csrf_token"]')["value"]
    client.post(f"/orders/{acme.order.id}/charges/{charge.id}", {"csrf_token": token, "decision": "approve"},
                status=403)
    assert charge_of(db, "Pallet delivery to site").status == ChargeStatus.proposed


def test_a_double_submit_decides_once(admin, testapp, login, db, acme):
    add_charge(admin, acme.order).follow()
    charge = charge_of(db, "Pallet delivery to site")
    bert = customer(testapp, login, acme.people["bert"])
    form = bert.get(f"/orders/{acme.order.id}").forms[f"decide-charge-{charge.id}"]
    form.submit("decision", value="approve").follow()
    again = form.submit("decision", value="approve").follow()  # the same page's form, sent again
    assert "This charge was already approved. Nothing was changed." in again.text
    form["comment"] = "Changed my mind"
    again = form.submit("decision", value="reject").follow()
    assert "This charge was already approved. Nothing was changed." in again.text
    assert charge_of(db, "Pallet delivery to site").status == ChargeStatus.approved
    assert count(db, AuditLog, AuditLog.action.in_(("charge.approved", "charge.rejected"))) == 1


def test_with_the_setting_off_charges_are_internal_and_invoiced_as_approved(admin, testapp, login, db, make, acme):
    company = db.session.get(Company, acme.id)
    company.show_charges_on_portal = False
    db.session.commit()
    before = credit_limit.available_credit(company)
    add_charge(admin, acme.order).follow()
    charge = charge_of(db, "Pallet delivery to site")
    assert count(db, OutboxEmail, OutboxEmail.kind == "charges_proposed") == 0
    anna = customer(testapp, login, acme.people["anna"])
    page = anna.get(f"/orders/{acme.order.id}")
    assert "Pallet delivery to site" not in page.text and not page.html.select("#charges, #total-charges")
    token = page.html.select_one('input[name="csrf_token"]')["value"]
    anna.post(f"/orders/{acme.order.id}/charges/{charge.id}", {"csrf_token": token, "decision": "approve"},
              status=404)
    # counted as approved: against the credit now, and on the order's invoice
    assert credit_limit.available_credit(company) == before - Decimal("30.25")
    new_invoice(admin, acme, acme.order)
    [invoice] = invoices_of(db, acme.order)
    assert [ln.description for ln in invoice.lines] == ["Freight: Pallet delivery to site"]
    assert charge_of(db, "Pallet delivery to site").status == ChargeStatus.invoiced


def test_a_charge_waiting_for_the_customer_is_not_invoiced_and_staff_are_warned(admin, db, acme):
    add_charge(admin, acme.order).follow()
    page = new_invoice(admin, acme, acme.order)
    assert "1 extra charge(s) of order" in page.text and "still wait for the customer" in page.text
    [invoice] = invoices_of(db, acme.order)
    assert invoice.lines == [] and charge_of(db, "Pallet delivery to site").status == ChargeStatus.proposed


def test_approved_charges_count_against_the_credit_once_and_rejected_ones_never(admin, testapp, login, db, acme):
    company = db.session.get(Company, acme.id)
    start = credit_limit.available_credit(company)
    add_charge(admin, acme.order).follow()
    add_charge(admin, acme.order, description="Rush surcharge", kind="surcharge", amount="10.00").follow()
    assert credit_limit.available_credit(company) == start  # proposed: not owed yet
    anna = customer(testapp, login, acme.people["anna"])
    page = anna.get(f"/orders/{acme.order.id}")
    page.forms[f"decide-charge-{charge_of(db, 'Pallet delivery to site').id}"].submit("decision", value="approve")
    form = anna.get(f"/orders/{acme.order.id}").forms[f"decide-charge-{charge_of(db, 'Rush surcharge').id}"]
    form["comment"] = "Not agreed"
    form.submit("decision", value="reject")
    assert credit_limit.available_credit(company) == start - Decimal("30.25")
    new_invoice(admin, acme, acme.order)  # invoiced: owed on the invoice, not counted twice
    assert credit_limit.available_credit(company) == start - Decimal("30.25")


def test_deleting_the_invoice_gives_its_charges_back(admin, testapp, login, db, acme):
    add_charge(admin, acme.order).follow()
    charge = charge_of(db, "Pallet delivery to site")
    anna = customer(testapp, login, acme.people["anna"])
    anna.get(f"/orders/{acme.order.id}").forms[f"decide-charge-{charge.id}"].submit("decision", value="approve")
    new_invoice(admin, acme, acme.order)
    [invoice] = invoices_of(db, acme.order)
    delete_from_list(admin, "/admin/invoice/", invoice.id)
    assert invoices_of(db, acme.order) == []
    assert charge_of(db, "Pallet delivery to site").status == ChargeStatus.approved
    new_invoice(admin, acme, acme.order)
    [again] = invoices_of(db, acme.order)
    assert [ln.description for ln in again.lines] == ["Freight: Pallet delivery to site"]
