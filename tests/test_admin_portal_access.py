"""Portal access as staff set it: "Allow customer portal" per company (form and bulk), a contact's own
access (only with a company that has access; off = revoke), a contact's email address."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from webtest import TestApp
from webtest.forms import Text

from portal.models import (
    AccessToken,
    AuditLog,
    Company,
    InvitationState,
    Membership,
    TokenPurpose,
    User,
    UserSession,
)
from portal.services import invitations, portal_access, tokens
from portal.services.actor import Actor
from tests.fixtures_admin import delete_from_list, errors_of, model_form


@pytest.fixture
def world(make):
    acme = make.company(name="ACME Tools")
    bolt = make.company(name="Bolt Fasteners")
    closed = make.company(name="Closed Ltd", portal_access=False)
    anna = make.contact(acme, name="Anna Smith", email="anna@acme.example")
    both = make.contact(acme, name="Bea Both", email="bea@acme.example")
    make.membership(both, bolt)
    carl = make.contact(closed, name="Carl Closed", email="carl@closed.example", portal_access=False)
    return {"acme": acme, "bolt": bolt, "closed": closed, "anna": anna, "both": both, "carl": carl}


def signed_in(testapp, login, user) -> TestApp:
    client = TestApp(testapp.app)
    login(client, user)
    assert client.get("/dashboard").status_int == 200
    return client


def signed_out(client: TestApp) -> bool:
    res = client.get("/dashboard", expect_errors=True)
    return res.status_int == 302 and "/login" in res.location


def live_tokens(db, user) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(AccessToken).where(
        AccessToken.user_id == user.id, AccessToken.revoked_dt.is_(None), AccessToken.used_dt.is_(None))).scalar_one()


def company_action(admin, name: str, companies):
    listing = admin.get("/admin/company/")
    form = listing.forms["action_form"]
    form["action"] = name
    for n, company in enumerate(companies):
        box = listing.html.select_one(f'input.action-checkbox[value="{company.id}"]')
        assert box is not None, f"no row for {company.name}"
        field = Text(form, "input", "rowid", 1000 + n, value=box["value"])
        form.fields.setdefault("rowid", []).append(field)
        form.field_order.append(("rowid", field))
    return form.submit().follow()


def flashes(res) -> str:
    return " ".join(n.get_text(" ", strip=True) for n in res.html.select(".alert"))


# --- company access: the bulk actions ------------------------------------------------------------------

def test_bulk_disable_logs_out_the_companys_contacts_and_withdraws_their_links(db, admin, world, testapp, login,
                                                                            staff):
    anna, both = world["anna"], world["both"]
    anna_browser = signed_in(testapp, login, anna)
    both_browser = signed_in(testapp, login, both)
    magic = tokens.issue(TokenPurpose.magic_link, user=anna, ttl=timedelta(minutes=15))
    db.session.commit()

    res = company_action(admin, "disable_portal", [world["acme"]])
    assert "Customer portal disabled for 1 company(ies). 1 contact(s) were signed out." in flashes(res)

    assert signed_out(anna_browser)
    assert "This link was withdrawn" in TestApp(testapp.app).get(f"/login/link/{magic}", status=410).text
    # Bea also works for Bolt, which still has access: she stays signed in, now for Bolt.
    res = both_browser.get("/dashboard")
    assert res.status_int == 200 and "Bolt Fasteners" in res.text
    db.session.expire_all()
    assert db.session.get(Company, world["acme"].id).portal_access is False
    assert anna.portal_access is True  # her own access is kept for when the company is switched on again
    log = db.session.execute(select(AuditLog).where(AuditLog.action == "company.portal_disabled")).scalar_one()
    assert (log.actor_id, log.company_id) == (staff.id, world["acme"].id)


def test_bulk_enable_lets_the_contacts_sign_in_again(db, admin, world, testapp, login):
    res = company_action(admin, "enable_portal", [world["closed"], world["acme"]])
    assert "Customer portal enabled for 1 company(ies) (1 already had it enabled)." in flashes(res)
    db.session.expire_all()
    assert db.session.get(Company, world["closed"].id).portal_access is True
    carl = world["carl"]
    carl.portal_access = True
    db.session.commit()
    signed_in(testapp, login, carl)
    assert db.session.execute(select(AuditLog.action).where(AuditLog.action == "company.portal_enabled")).all() \
        == [("company.portal_enabled",)]


def test_bulk_action_without_a_selection_changes_nothing(db, admin, world):
    res = company_action(admin, "disable_portal", [])
    assert "Select at least one company." in flashes(res)
    db.session.expire_all()
    assert db.session.get(Company, world["acme"].id).portal_access is True


def test_the_company_list_shows_the_portal_column_and_filters_on_it(db, admin, world):
    listing = admin.get("/admin/company/?flt0_allow_customer_portal_equals=0")
    assert "Allow customer portal" in listing.text
    assert "Closed Ltd" in listing.text and "ACME Tools" not in listing.text


# --- company access: the edit form -----------------------------------------------------------------------

def test_unticking_allow_customer_portal_on_the_form_logs_the_contacts_out(db, admin, world, testapp, login):
    anna_browser = signed_in(testapp, login, world["anna"])
    form = model_form(admin.get(f"/admin/company/edit/?id={world['acme'].id}"))
    assert form["portal_access"].checked
    form["portal_access"] = False
    res = form.submit().follow()
    assert "1 contact(s) of ACME Tools were signed out: Anna Smith." in flashes(res)
    assert signed_out(anna_browser)
    assert db.session.execute(select(AuditLog).where(AuditLog.action == "company.portal_disabled")).scalar_one()


def test_saving_the_company_form_without_touching_access_signs_no_one_out(db, admin, world, testapp, login):
    anna_browser = signed_in(testapp, login, world["anna"])
    form = model_form(admin.get(f"/admin/company/edit/?id={world['acme'].id}"))
    form["name"] = "ACME Tools BV"
    form.submit().follow()
    assert not signed_out(anna_browser)
    assert db.session.execute(select(func.count()).select_from(AuditLog).where(
        AuditLog.action.like("company.portal_%"))).scalar_one() == 0


def test_the_company_form_offers_only_sales_reps_and_allocates_them(db, admin, world, make):
    rita = make.rep(name="Rita Rep")
    form = model_form(admin.get(f"/admin/company/edit/?id={world['acme'].id}"))
    offered = {label for _, _, label in form["sales_reps"].options}
    assert any("Rita Rep" in label for label in offered)
    assert not any("Anna Smith" in label or "Stella Staff" in label for label in offered)
    form["sales_reps"] = [str(rita.id)]
    form.submit().follow()
    db.session.expire_all()
    assert [c.name for c in db.session.get(User, rita.id).allocated_companies] == ["ACME Tools"]

    form = model_form(admin.get(f"/admin/company/edit/?id={world['acme'].id}"))
    form["sales_reps"].force_value([str(world["anna"].id)])  # a contact is not a rep
    res = form.submit()
    assert res.status_int == 200 and "Not a valid choice: choose from the list." in errors_of(res)
    db.session.expire_all()
    assert [u.name for u in db.session.get(Company, world["acme"].id).sales_reps] == ["Rita Rep"]


# --- a contact's own access --------------------------------------------------------------------------------

def test_contact_access_cannot_be_switched_on_without_a_company_with_access(db, admin, world):
    carl = world["carl"]
    form = model_form(admin.get(f"/admin/user/edit/?id={carl.id}"))
    form["portal_access"] = True
    form["name"] = "Carl Renamed"
    res = form.submit()
    assert res.status_int == 200
    assert "Closed Ltd does not have customer portal access — enable it on the company first" in errors_of(res)
    db.session.expire_all()
    carl = db.session.get(User, carl.id)
    assert (carl.portal_access, carl.name) == (False, "Carl Closed")


def test_contact_access_is_switched_on_when_a_company_has_access(db, admin, world):
    carl = world["carl"]
    carl.portal_access = False
    world["closed"].portal_access = True
    db.session.commit()
    form = model_form(admin.get(f"/admin/user/edit/?id={carl.id}"))
    form["portal_access"] = True
    form.submit().follow()
    db.session.expire_all()
    assert db.session.get(User, carl.id).portal_access is True
    assert db.session.execute(select(AuditLog).where(AuditLog.action == "access.enabled")).scalar_one()


def test_switching_a_contacts_access_off_revokes_at_once(db, admin, world, testapp, login):
    anna = world["anna"]
    browser = signed_in(testapp, login, anna)
    link = invitations.invite(world["both"], send_email=False)  # someone else's link stays valid
    tokens.issue(TokenPurpose.password_reset, user=anna, ttl=timedelta(hours=1))
    db.session.commit()
    form = model_form(admin.get(f"/admin/user/edit/?id={anna.id}"))
    form["portal_access"] = False
    res = form.submit().follow()
    assert "Portal access of Anna Smith revoked: open sessions end on their next request" in flashes(res)
    assert signed_out(browser)
    assert live_tokens(db, anna) == 0
    assert live_tokens(db, world["both"]) == 1 and "/invite/" in link
    anna = db.session.get(User, anna.id)
    assert anna.invitation_state == InvitationState.revoked


def _membership(db, user, company) -> Membership:
    return db.session.execute(select(Membership).filter_by(user_id=user.id, company_id=company.id)).scalar_one()


def test_deactivating_a_contacts_only_membership_signs_them_out(db, admin, world, testapp, login):
    anna = world["anna"]
    browser = signed_in(testapp, login, anna)
    tokens.issue(TokenPurpose.magic_link, user=anna, ttl=timedelta(minutes=15))
    db.session.commit()
    form = model_form(admin.get(f"/admin/membership/edit/?id={_membership(db, anna, world['acme']).id}"))
    form["is_active"] = False
    res = form.submit().follow()
    assert "Anna Smith has no other company with portal access and is signed out." in flashes(res)
    assert signed_out(browser)
    assert live_tokens(db, anna) == 0


def test_deleting_one_of_two_memberships_keeps_the_contact_signed_in(db, admin, world, testapp, login):
    bea = world["both"]
    browser = signed_in(testapp, login, bea)
    membership = _membership(db, bea, world["acme"])
    res = delete_from_list(admin, "/admin/membership/", membership.id)
    assert "signed out" not in flashes(res)
    assert not signed_out(browser)
    assert "Bolt Fasteners" in browser.get("/dashboard").text


def test_deleting_the_last_membership_signs_the_contact_out(db, admin, world, testapp, login):
    anna = world["anna"]
    browser = signed_in(testapp, login, anna)
    membership = _membership(db, anna, world["acme"])
    res = delete_from_list(admin, "/admin/membership/", membership.id)
    assert "Anna Smith has no other company with portal access and is signed out." in flashes(res)
    assert signed_out(browser)


# --- email address -----------------------------------------------------------------------------------------

def test_changing_a_contacts_email_withdraws_links_sent_to_the_old_address(db, admin, world, staff):
    old_link = invitations.invite(world["anna"], send_email=False)
    db.session.commit()
    form = model_form(admin.get(f"/admin/user/edit/?id={world['anna'].id}"))
    form["email"] = "  Anna.Smith@ACME.example "
    res = form.submit().follow()
    assert "Email changed to anna.smith@acme.example: links sent to the old address no longer work." in flashes(res)
    db.session.expire_all()
    anna = db.session.get(User, world["anna"].id)
    assert anna.email == "anna.smith@acme.example"
    res = TestApp(admin.app).get("/" + old_link.split("/", 3)[3], status=410)
    assert "This link was withdrawn" in res.text
    log = db.session.execute(select(AuditLog).where(AuditLog.action == "user.email_changed")).scalar_one()
    assert log.actor_id == staff.id
    assert (log.details["old"], log.details["new"]) == ("anna@acme.example", "anna.smith@acme.example")


def test_the_new_email_signs_in_and_the_session_stays(db, admin, world, testapp, login):
    browser = signed_in(testapp, login, world["anna"])
    form = model_form(admin.get(f"/admin/user/edit/?id={world['anna'].id}"))
    form["email"] = "anna.new@acme.example"
    form.submit().follow()
    assert not signed_out(browser)
    db.session.expire_all()
    signed_in(testapp, login, db.session.get(User, world["anna"].id))


@pytest.mark.parametrize(("value", "message"), [
    ("BEA@acme.example", "Already exists"),
    ("not-an-email", "Enter a valid email address."),
    ("", "This field is required."),
])
def test_bad_email_on_the_contact_record_is_a_form_error(db, admin, world, value, message):
    link = invitations.invite(world["anna"], send_email=False)
    db.session.commit()
    form = model_form(admin.get(f"/admin/user/edit/?id={world['anna'].id}"))
    form["email"] = value
    res = form.submit()
    assert res.status_int == 200
    assert message in errors_of(res)
    db.session.expire_all()
    assert db.session.get(User, world["anna"].id).email == "anna@acme.example"
    assert "Choose a password" in TestApp(admin.app).get("/" + link.split("/", 3)[3]).text


# --- the rules, unit-tested ----------------------------------------------------------------------------------

def test_set_company_access_signs_out_only_contacts_without_another_company(db, world, staff):
    anna, both = world["anna"], world["both"]
    for user in (anna, both):
        db.session.add(UserSession(key_hash=f"k{user.id}".ljust(64, "0"), user_id=user.id))
    invitations.invite(anna, send_email=False)
    db.session.commit()
    out = portal_access.set_company_access(world["acme"], False, Actor.of(staff))
    db.session.commit()
    assert out == [anna]
    live = dict(db.session.execute(select(UserSession.user_id, UserSession.revoked_dt)).all())
    assert live[anna.id] is not None and live[both.id] is None
    assert live_tokens(db, anna) == 0
    # Again: no change, no one else signed out, nothing audited twice.
    assert portal_access.set_company_access(world["acme"], False, Actor.of(staff)) == []
    assert db.session.execute(select(func.count()).select_from(AuditLog)
                              .where(AuditLog.action == "company.portal_disabled")).scalar_one() == 1


def test_access_problem_names_the_companies(db, world, make):
    carl = world["carl"]
    assert portal_access.access_problem(carl) == ("Closed Ltd does not have customer portal access — enable it on "
                                                  "the company first.")
    make.membership(carl, make.company(name="Another Closed", portal_access=False))
    db.session.expire_all()
    assert portal_access.access_problem(carl).startswith("Another Closed and Closed Ltd do not have")
    assert "not linked to a company" in portal_access.access_problem(make.user(name="Loner"))
    assert portal_access.access_problem(world["anna"]) is None
    with pytest.raises(portal_access.AccessError) as error:
        portal_access.set_contact_access(carl, True, None)
    assert error.value.field == "portal_access"


def test_change_email_rules(db, world):
    anna = world["anna"]
    assert portal_access.change_email(anna, " ANNA@acme.example", None) is False
    for bad, message in [("bea@ACME.example", "already used"), ("nope", "valid email"), ("  ", "Enter an email")]:
        with pytest.raises(portal_access.AccessError, match=message):
            portal_access.change_email(anna, bad, None)
    assert portal_access.change_email(anna, "Anna2@Acme.example", None) is True
    assert anna.email == "anna2@acme.example"


def test_links_csv_keeps_spreadsheet_formulas_out(db, world):
    anna = world["anna"]
    anna.name = "=HYPERLINK(\"http://evil\")"
    text = portal_access.links_csv([(anna, "http://x/invite/abc")],
                                   {anna.id: [portal_access.Place("ACME Tools", "Buyer", True)]})
    assert text.splitlines()[0] == "name,email,company,role,link"
    assert text.splitlines()[1].startswith('"\'=HYPERLINK(')


# --- roles -----------------------------------------------------------------------------------------------------

def test_a_builtin_roles_permissions_are_edited_from_what_the_features_declare(db, admin, make, testapp, login):
    from portal.permissions import all_permissions

    viewer = make.role("Viewer")
    form = model_form(admin.get(f"/admin/role/edit/?id={viewer.id}"))
    offered = {value for value, *_ in form["permissions"].options}
    assert offered == set(all_permissions())
    assert {value for value, selected, _ in form["permissions"].options if selected} == set(viewer.permissions)
    form["permissions"] = ["orders.view"]  # no dashboard any more
    form.submit().follow()
    db.session.expire_all()
    assert make.role("Viewer").permissions == ["orders.view"]
    contact = make.contact(make.company(), role="Viewer")
    client = TestApp(testapp.app)
    assert login(client, contact, expect_success=False).status_int == 302  # signed in
    assert "Your role does not allow this" in client.get("/dashboard", status=403).text
    assert client.get("/orders/").status_int == 200
