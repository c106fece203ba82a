"""Sales reps: pick a customer (all or allocated only), act for it visibly, every action audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from portal.extensions import db as _db
from portal.models import AddressKind, AuditLog, RepAccess, rep_allocation
from portal.services import reps


@pytest.fixture
def world(make):
    acme = make.company(name="ACME Tools", code="C-ACME")
    make.address(acme, kind=AddressKind.billing, city="Utrecht", is_default=True)
    make.address(acme, kind=AddressKind.shipping, city="Zwolle", is_default=True)
    bolt = make.company(name="Bolt Fasteners", code="C-BOLT")
    make.address(bolt, city="Groningen")
    zeta = make.company(name="Zeta Industrial", code="C-ZETA")
    supplier = make.supplier(name="Steel Supplier", code="S-STEEL")
    rep = make.rep(allocated=[acme, bolt], name="Rita Rep")
    return {"acme": acme, "bolt": bolt, "zeta": zeta, "supplier": supplier, "rep": rep}


def picker_rows(res):
    table = res.html.find(id="customers")
    if table is None:
        return []
    return [[td.get_text(" ", strip=True) for td in tr.find_all("td")[:3]] for tr in table.tbody.find_all("tr")]


def session_cookie(testapp, app, **changes):
    """Forge the signed session cookie (as someone holding the secret key could): the server must re-check."""
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(testapp.cookies["session"])
    data.update(changes)
    [cookie] = [c for c in testapp.cookiejar if c.name == "session"]
    cookie.value = serializer.dumps(data)


def test_allocated_rep_sees_only_allocated_customers_with_code_and_city(testapp, login, world):
    res = login(testapp, world["rep"])
    assert "You may act for the customers allocated to you." in res.text
    assert picker_rows(res) == [["ACME Tools", "C-ACME", "Utrecht"], ["Bolt Fasteners", "C-BOLT", "Groningen"]]


@pytest.mark.parametrize("query, expected", [
    ("acme", ["ACME Tools"]),
    ("c-bolt", ["Bolt Fasteners"]),
    ("groning", ["Bolt Fasteners"]),
    ("zwolle", ["ACME Tools"]),  # any address city
    ("zeta", []),  # exists, but not allocated
    ("%", []),  # wildcards are plain characters
])
def test_picker_search_by_name_code_or_city(testapp, login, world, query, expected):
    login(testapp, world["rep"])
    form = testapp.get("/customers").forms["search"]
    form["q"] = query
    res = form.submit()
    assert [row[0] for row in picker_rows(res)] == expected
    if not expected:
        assert "No customers found" in res.text


def test_rep_with_access_to_all_sees_every_customer_but_no_supplier(testapp, make, login, world):
    rep = make.rep(access=RepAccess.all)
    res = login(testapp, rep)
    assert [r[0] for r in picker_rows(res)] == ["ACME Tools", "Bolt Fasteners", "Zeta Industrial"]
    assert "Steel Supplier" not in res.text


def test_picker_says_when_it_shows_only_the_first_customers(make, db):
    rep = make.rep(access=RepAccess.all)
    for n in range(4):
        make.company(name=f"Many {n}")
    rows, total = reps.customers_for(rep, "many", limit=3)
    assert (len(rows), total) == (3, 4)


def test_rep_acts_for_a_customer_with_a_visible_banner_then_stops(testapp, login, db, world):
    acme, rep = world["acme"], world["rep"]
    res = login(testapp, rep).forms[f"act-{acme.id}"].submit()
    res = res.follow()
    banner = res.html.find(class_="acting-banner")
    assert "Acting for ACME Tools" in banner.get_text(" ", strip=True)
    assert res.html.find("h1").text == "ACME Tools"

    res = testapp.get("/customers")
    assert "Acting now" in res.html.find(id="customers").tbody.find_all("tr")[0].text
    stop_form = next(f for f in res.forms.values() if f.action.endswith("/customers/stop"))
    res = stop_form.submit().follow()
    assert "You stopped acting for the customer." in res.text
    assert res.html.find(class_="acting-banner") is None
    res = testapp.get("/dashboard")
    assert res.status_int == 302 and "/customers" in res.location
    actions = [(r.action, r.actor_id, r.company_id) for r in
               db.session.execute(select(AuditLog).order_by(AuditLog.id)).scalars()]
    assert ("rep.act_for", rep.id, acme.id) in actions and ("rep.stop_acting", rep.id, acme.id) in actions


def test_what_a_rep_does_is_recorded_with_rep_and_customer(testapp, login, db, world):
    acme, rep = world["acme"], world["rep"]
    login(testapp, rep).forms[f"act-{acme.id}"].submit()
    form = testapp.get("/account/addresses/new").forms["address"]
    form["kind"], form["line1"], form["city"], form["country"] = "shipping", "Quay 3", "Delft", "NL"
    form.submit().follow()
    row = db.session.execute(select(AuditLog).filter_by(action="address.added")).scalar_one()
    assert (row.actor_id, row.acting_rep_id, row.company_id) == (rep.id, rep.id, acme.id)


def test_allocated_rep_gets_404_for_other_customers(testapp, make, login, world):
    acme, zeta, rep = world["acme"], world["zeta"], world["rep"]
    zetas_order = make.order(zeta, customer_reference="ZETA-SECRET")
    res = login(testapp, rep)
    token = res.forms[f"act-{acme.id}"]["csrf_token"].value
    testapp.post("/customers", {"csrf_token": token, "company_id": zeta.id}, status=404)
    testapp.post("/customers", {"csrf_token": token, "company_id": world["supplier"].id}, status=404)
    res.forms[f"act-{acme.id}"].submit()
    testapp.get(f"/orders/{zetas_order.id}", status=404)
    assert "ZETA-SECRET" not in testapp.get("/orders/").text


@pytest.mark.parametrize("target", ["zeta", "supplier", "missing"])
def test_a_forged_acting_company_in_the_session_is_not_honoured(app, testapp, make, login, world, target):
    acme, rep = world["acme"], world["rep"]
    company_id = world[target].id if target != "missing" else 999999
    secret = make.order(world["zeta"], customer_reference="ZETA-SECRET")
    make.purchase_order(world["supplier"], notes="STEEL-SECRET")
    login(testapp, rep).forms[f"act-{acme.id}"].submit()
    session_cookie(testapp, app, acting_company_id=company_id)

    res = testapp.get("/dashboard")
    assert res.status_int == 302 and "/customers" in res.location  # acting for no one
    for url in (f"/orders/{secret.id}", "/orders/", "/supplier/"):
        res = testapp.get(url, expect_errors=True)
        assert res.status_int in (302, 404), url
        assert "SECRET" not in res.text


def test_deallocation_takes_effect_on_the_next_request(testapp, login, db, world):
    acme, rep = world["acme"], world["rep"]
    login(testapp, rep).forms[f"act-{acme.id}"].submit()
    testapp.get("/dashboard", status=200)
    _db.session.execute(rep_allocation.delete().where(rep_allocation.c.user_id == rep.id,
                                                      rep_allocation.c.company_id == acme.id))
    _db.session.commit()
    res = testapp.get("/dashboard")
    assert res.status_int == 302 and "/customers" in res.location


def test_a_rep_switched_to_all_customers_may_act_for_any(testapp, login, db, world):
    rep = world["rep"]
    _db.session.execute(update(type(rep)).where(type(rep).id == rep.id).values(rep_access=RepAccess.all))
    _db.session.commit()
    res = login(testapp, rep).forms[f"act-{world['zeta'].id}"].submit().follow()
    assert "Acting for Zeta Industrial" in res.html.find(class_="acting-banner").get_text(" ", strip=True)


def test_contacts_and_staff_have_no_customer_picker(testapp, make, login, world):
    login(testapp, make.contact(world["acme"]))
    testapp.get("/customers", status=404)


def test_a_rep_for_all_customers_cannot_be_made_to_act_as_a_supplier(app, testapp, make, login, world):
    rep = make.rep(access=RepAccess.all)
    make.purchase_order(world["supplier"], notes="STEEL-SECRET")
    login(testapp, rep).forms[f"act-{world['acme'].id}"].submit()
    session_cookie(testapp, app, acting_company_id=world["supplier"].id)
    res = testapp.get("/supplier/")
    assert res.status_int == 302 and "/customers" in res.location
