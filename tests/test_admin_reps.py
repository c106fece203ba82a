"""Staff invite sales reps (all customers / allocated customers only) and allocate customers to them."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from webtest import TestApp
from webtest.forms import Text

from portal.models import AccessToken, AuditLog, InvitationState, OutboxEmail, RepAccess, User, UserKind
from portal.services import invitations
from tests.fixtures_admin import errors_of, model_form
from tests.fixtures_mail import link_in, text_of

NEW_PASSWORD = "mellow tractor puzzle"
SCREEN = "/admin/sales-reps/"


@pytest.fixture
def customers(make):
    return {"acme": make.company(name="ACME Tools", code="C-ACME"),
            "bolt": make.company(name="Bolt Fasteners", code="C-BOLT"),
            "steel": make.supplier(name="Steel Supplier", code="S-STEEL")}


def invite_form(admin, **values):
    form = admin.get(SCREEN).click("Invite sales rep").forms[1]
    assert form.action == "" and "csrf_token" in form.fields
    for key, value in values.items():
        form[key] = value
    return form


def accept(client, link, password=NEW_PASSWORD):
    form = client.get(link).forms["accept"]
    form["password"] = password
    form["confirm"] = password
    return form.submit()


def picker(client) -> list[str]:
    res = client.get("/customers")
    table = res.html.find(id="customers")
    return [tr.find("td").get_text(" ", strip=True) for tr in table.tbody.find_all("tr")] if table else []


def flashes(res) -> str:
    return " ".join(n.get_text(" ", strip=True) for n in res.html.select(".alert"))


def reps_in_db(db) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(User).where(User.kind == UserKind.rep)).scalar_one()


def test_an_allocated_only_rep_accepts_and_sees_only_the_allocated_customers(
        db, admin, customers, staff, mail_app, smtp_server):
    form = invite_form(admin, name="Rita Rep", email="Rita@Northwind.example", rep_access="allocated",
                       allocated_companies=[str(customers["acme"].id)])
    res = form.submit()
    assert res.status_int == 302
    res = res.follow()
    assert "Invitation to Rita Rep (rita@northwind.example) queued." in flashes(res)
    row = res.html.find("td", string=lambda s: s and "rita@northwind.example" in s).find_parent("tr")
    assert "Allocated customers only" in row.text and "ACME Tools" in row.text and "Invited" in row.text

    [message] = smtp_server.messages
    assert message["To"] == "rita@northwind.example"
    assert "Stella Staff invited you" in text_of(message)
    rep_browser = TestApp(admin.app)
    res = accept(rep_browser, link_in(message, "/invite/")).follow()
    assert res.request.path == "/customers"
    assert picker(rep_browser) == ["ACME Tools"]

    # Acting for a customer that is not allocated is refused.
    csrf = rep_browser.get("/customers").forms["act-" + str(customers["acme"].id)]["csrf_token"].value
    rep_browser.post("/customers", {"csrf_token": csrf, "company_id": customers["bolt"].id}, status=404)

    rita = db.session.execute(select(User).filter_by(email="rita@northwind.example")).scalar_one()
    assert (rita.kind, rita.rep_access, rita.invitation_state) == (UserKind.rep, RepAccess.allocated,
                                                                    InvitationState.accepted)
    log = db.session.execute(select(AuditLog).where(AuditLog.action == "rep.created")).scalar_one()
    assert log.actor_id == staff.id and log.details["allocated"] == "C-ACME"


def test_a_rep_with_access_to_all_customers_sees_every_customer(db, admin, customers, mail_app, smtp_server):
    invite_form(admin, name="Alex All", email="alex@northwind.example", rep_access="all").submit()
    browser = TestApp(admin.app)
    accept(browser, link_in(smtp_server.messages[-1], "/invite/"))
    assert picker(browser) == ["ACME Tools", "Bolt Fasteners"]  # customers only, not the supplier


def test_an_allocated_only_rep_without_customers_gets_a_warning(db, admin, customers):
    res = invite_form(admin, name="Nina None", email="nina@northwind.example").submit().follow()
    assert "Nina None has no allocated customers yet and will see none" in flashes(res)
    assert reps_in_db(db) == 1


@pytest.mark.parametrize(("values", "message"), [
    ({"name": "", "email": "x@northwind.example"}, "Enter the rep's name."),
    ({"name": "Rita", "email": "not-an-email"}, "Enter a valid email address."),
    ({"name": "Rita", "email": "ANNA@acme.example"}, "anna@acme.example is already used by another account."),
    ({"name": "Rita", "email": "r@northwind.example", "rep_access": None}, "Not a valid choice"),
])
def test_bad_rep_input_is_a_form_error_and_creates_nothing(db, admin, customers, make, values, message):
    make.contact(customers["acme"], email="anna@acme.example")
    form = invite_form(admin)
    for key, value in values.items():
        if value is None:
            form[key].force_value("everyone")
        else:
            form[key] = value
    res = form.submit()
    assert res.status_int == 200
    assert message in errors_of(res)
    assert "The rep was not invited" in flashes(res)
    assert reps_in_db(db) == 0
    assert db.session.execute(select(OutboxEmail)).first() is None
    assert db.session.execute(select(AccessToken)).first() is None


def test_a_supplier_cannot_be_allocated_to_a_rep(db, admin, customers):
    form = invite_form(admin, name="Rita", email="rita@northwind.example")
    form["allocated_companies"].force_value([str(customers["steel"].id)])
    res = form.submit()
    assert "Not a valid choice: choose from the list." in errors_of(res)
    assert reps_in_db(db) == 0


def test_allocation_is_edited_on_the_rep_record(db, admin, customers, make, testapp, login):
    rita = make.rep(allocated=[customers["acme"]], name="Rita Rep")
    browser = TestApp(testapp.app)
    login(browser, rita)
    assert picker(browser) == ["ACME Tools"]

    edit = admin.get(SCREEN).click("Rita Rep")
    form = model_form(edit)
    offered = [label for _, _, label in form["allocated_companies"].options]
    assert not any("Steel Supplier" in label for label in offered)  # customers only
    assert [label for _, label in _choices(edit, "rep_access")] == ["All customers", "Allocated customers only"]
    form["allocated_companies"] = [str(customers["bolt"].id)]
    form.submit().follow()
    assert picker(browser) == ["Bolt Fasteners"]

    form = model_form(admin.get(f"/admin/user/edit/?id={rita.id}"))
    form["rep_access"] = "all"
    form.submit().follow()
    assert picker(browser) == ["ACME Tools", "Bolt Fasteners"]


def _choices(page, name):
    select_ = page.html.find("select", attrs={"name": name})
    return [(o["value"], o.get_text(strip=True)) for o in select_.find_all("option") if o["value"]]


def test_the_list_shows_reps_only_and_resends_invitations(db, admin, customers, make, mail_app, smtp_server):
    make.contact(customers["acme"], name="Anna Contact")
    waiting = make.rep(name="Wes Waiting", email="wes@northwind.example", password=None)
    invitations.invite(waiting, send_email=False)
    done = make.rep(name="Dora Done", email="dora@northwind.example", access=RepAccess.all)
    done.invitation_state = InvitationState.accepted
    done.portal_access = True
    db.session.commit()

    listing = admin.get(SCREEN)
    assert "Wes Waiting" in listing.text and "Dora Done" in listing.text and "Anna Contact" not in listing.text
    assert "every customer" in listing.text

    form = listing.forms["action_form"]
    form["action"] = "resend"
    for n, rep in enumerate((waiting, done)):
        box = Text(form, "input", "rowid", 1000 + n, value=str(rep.id))
        form.fields.setdefault("rowid", []).append(box)
        form.field_order.append(("rowid", box))
    res = form.submit().follow()
    assert "Invitation queued for 1 rep(s): wes@northwind.example." in flashes(res)
    assert "Skipped dora@northwind.example" in flashes(res)
    assert [m["To"] for m in smtp_server.messages] == ["wes@northwind.example"]
