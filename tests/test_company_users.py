"""A customer's Admin manages the company's users: invite, change role, remove access."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from webtest import TestApp

from portal.models import AuditLog, InvitationState, Membership, OutboxEmail, RepAccess, User, UserKind
from portal.services import company_users
from portal.services.actor import Actor
from portal.services.company_users import CompanyUsersError

NEW_PASSWORD = "plum orchard lantern 42"


def fresh(db, obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def emails_to(db, address) -> list[OutboxEmail]:
    return list(db.session.execute(select(OutboxEmail).filter_by(to_address=address)).scalars())


def audit_actions(db, **filters) -> list[str]:
    return [row.action for row in db.session.execute(select(AuditLog).filter_by(**filters)).scalars()]


def membership(db, user, company) -> Membership:
    db.session.expire_all()
    return db.session.execute(select(Membership).filter_by(user_id=user.id, company_id=company.id)).scalar_one()


@pytest.fixture
def acme(make):
    return make.company(name="ACME Tools")


@pytest.fixture
def admin(make, acme):
    return make.contact(acme, role="Admin", name="Ada Admin")


def invite(testapp, name, email, role="Buyer"):
    form = testapp.get("/company/users").click("Invite a colleague").forms["invite"]
    form["name"], form["email"] = name, email
    form.select("role", text=role)
    return form.submit()


def member_row(res, name):
    rows = res.html.find(id="company-users").tbody.find_all("tr")
    row = next(r for r in rows if name in r.find("td").text)
    return [td.get_text(" ", strip=True) for td in row.find_all("td")]


# --- the list --------------------------------------------------------------------------------------

def test_admin_sees_the_companys_users_with_role_and_access(testapp, make, login, acme, admin):
    make.contact(acme, role="Finance", name="Fred Finance", invitation_state=InvitationState.accepted)
    make.contact(make.company(), role="Admin", name="Other Company Olga")
    login(testapp, admin)
    res = testapp.get("/company/users")
    assert member_row(res, "Fred Finance")[2:4] == ["Finance", "Active"]
    assert member_row(res, "Ada Admin")[2] == "Admin"
    assert "Other Company Olga" not in res.text


@pytest.mark.parametrize("role", ["Buyer", "Viewer", "Finance"])
def test_only_roles_with_the_permission_manage_users(testapp, make, login, acme, role):
    login(testapp, make.contact(acme, role=role))
    testapp.get("/company/users", status=403)
    testapp.get("/company/users/invite", status=403)
    assert "Company users" not in testapp.get("/account").text


def test_a_rep_acting_for_the_customer_cannot_manage_its_users(testapp, make, login, acme, admin):
    rep = make.rep(allocated=[acme])
    login(testapp, rep).forms[f"act-{acme.id}"].submit()
    testapp.get("/company/users", status=403)
    testapp.get(f"/company/users/{admin.id}", status=403)


# --- invite ------------------------------------------------------------------------------------------

def invitation_row(res, name):
    rows = res.html.find(id="company-invitations").tbody.find_all("tr")
    row = next(r for r in rows if name in r.find("td").text)
    return [td.get_text(" ", strip=True) for td in row.find_all("td")]


def join_link(db, address) -> str:
    [email] = [e for e in emails_to(db, address) if e.kind == "company_invitation"]
    return urlsplit(re.search(r"https?://\S+/join/\S+", email.body_text).group(0)).path


def test_admin_invites_a_new_colleague_who_accepts_and_signs_in(testapp, make, login, db, acme, admin):
    login(testapp, admin)
    res = invite(testapp, "Bob Buyer", "Bob@Example.com", role="Viewer").follow()
    assert "Invitation sent to Bob Buyer (bob@example.com). They join ACME Tools when they accept it." in res.text
    assert invitation_row(res, "Bob Buyer")[:3] == ["Bob Buyer", "bob@example.com", "Viewer"]
    # Nothing exists for Bob until he accepts.
    assert db.session.execute(select(User).filter_by(email="bob@example.com")).first() is None
    [email] = emails_to(db, "bob@example.com")
    assert email.kind == "company_invitation" and "Ada Admin of ACME Tools invited you" in email.body_text
    assert {"company_invitation.sent"} <= set(audit_actions(db, company_id=acme.id, actor_id=admin.id))

    browser = TestApp(testapp.app)
    form = browser.get(join_link(db, "bob@example.com")).forms["join"]
    assert form["name"].value == "Bob Buyer"
    form["password"] = form["confirm"] = NEW_PASSWORD
    res = form.submit()
    while res.status_int == 302:
        res = res.follow()
    assert "ACME Tools" in res.text
    assert "Company users" not in browser.get("/account").text  # a Viewer

    bob = db.session.execute(select(User).filter_by(email="bob@example.com")).scalar_one()
    assert bob.kind == UserKind.contact
    assert membership(db, bob, acme).role.name == "Viewer"
    res = testapp.get("/company/users")
    assert member_row(res, "Bob Buyer")[1:4] == ["bob@example.com", "Viewer", "Active"]
    assert "No open invitations." in res.text


def test_inviting_an_existing_contact_adds_the_membership_only_when_they_accept(testapp, make, login, db, acme,
                                                                               admin):
    other = make.company(name="Other Co")
    carl = make.contact(other, role="Admin", name="Carl Existing", email="carl@example.com",
                        invitation_state=InvitationState.accepted)
    login(testapp, admin)
    res = invite(testapp, "Someone Else", "carl@example.com", role="Buyer").follow()
    # The inviter is told what they typed, never the name of the account behind the address.
    assert "Invitation sent to Someone Else (carl@example.com)." in res.text
    assert "Carl Existing" not in res.text
    assert db.session.execute(select(Membership).filter_by(user_id=carl.id, company_id=acme.id)).first() is None
    assert db.session.execute(select(User).filter_by(email="carl@example.com")).scalars().all() == [carl]
    [email] = emails_to(db, "carl@example.com")
    assert email.kind == "company_invitation" and "ACME Tools" in email.body_text

    browser = TestApp(testapp.app)
    page = browser.get(join_link(db, "carl@example.com"))
    assert "password" not in page.forms["join"].fields  # his password stays as it is
    res = page.forms["join"].submit().follow()
    assert "You joined ACME Tools. Sign in to continue." in res.text
    assert fresh(db, carl).name == "Carl Existing"  # someone else's profile is not overwritten
    assert membership(db, carl, acme).role.name == "Buyer"
    assert membership(db, carl, other).role.name == "Admin"
    assert fresh(db, carl).invitation_state == InvitationState.accepted

    from tests.conftest import PASSWORD

    res = browser.get("/login").forms["login"]
    res["email"], res["password"] = "carl@example.com", PASSWORD
    res.submit()
    companies = browser.get("/account").html.select("main table tbody tr")
    assert ["ACME Tools" in companies[0].text, "Other Co" in companies[1].text] == [True, True]


@pytest.mark.parametrize("kind", ["staff", "rep"])
def test_a_staff_or_rep_account_is_never_taken_over(testapp, make, login, db, acme, admin, kind):
    existing = make.staff(email="boss@example.com") if kind == "staff" else make.rep(email="boss@example.com")
    login(testapp, admin)
    res = invite(testapp, "Boss", "boss@example.com").follow()
    assert "Invitation sent to Boss (boss@example.com)." in res.text  # the same answer as for anyone
    page = TestApp(testapp.app).get(join_link(db, "boss@example.com"))
    res = page.forms["join"].submit()
    assert res.status_int == 200
    assert "belongs to an account that cannot join a customer company" in res.text
    assert fresh(db, existing).kind == UserKind(kind)
    assert db.session.execute(select(Membership).filter_by(user_id=existing.id)).first() is None


def test_inviting_someone_who_already_has_access_says_so(testapp, make, login, db, acme, admin):
    make.contact(acme, role="Buyer", name="Bea Buyer", email="bea@example.com")
    login(testapp, admin)
    res = invite(testapp, "Bea", "bea@example.com", role="Admin")
    assert "Bea Buyer (bea@example.com) already has access to ACME Tools." in res.text
    assert emails_to(db, "bea@example.com") == []


@pytest.mark.parametrize("name, email, message", [
    ("", "x@example.com", "Enter your colleague&#39;s name."),
    ("X", "not-an-email", "Enter a valid email address."),
])
def test_bad_invitation_input_shows_a_message(testapp, make, login, db, acme, admin, name, email, message):
    login(testapp, admin)
    before = db.session.execute(select(User)).scalars().all()
    res = invite(testapp, name, email)
    assert res.status_int == 200 and message in res.text
    assert db.session.execute(select(User)).scalars().all() == before


def test_invitation_refused_by_the_company_settings_changes_nothing(make, db):
    closed = make.company(name="Closed Co", portal_access=False)
    staff = make.staff()
    with pytest.raises(CompanyUsersError, match="does not have portal access"):
        company_users.invite_colleague(closed, name="Nina", email="nina@example.com",
                                       role_id=make.role("Buyer").id, invited_by=Actor.of(staff))
    assert db.session.execute(select(User).filter_by(email="nina@example.com")).first() is None


# --- change role -------------------------------------------------------------------------------------

def test_admin_changes_a_colleagues_role(testapp, make, login, db, acme, admin):
    bea = make.contact(acme, role="Buyer", name="Bea Buyer")
    login(testapp, admin)
    form = testapp.get("/company/users").click(href=f"/company/users/{bea.id}$").forms["role"]
    form.select("role", text="Finance")
    res = form.submit().follow()
    assert "Bea Buyer now has the role Finance." in res.text
    assert member_row(res, "Bea Buyer")[2] == "Finance"
    assert membership(db, bea, acme).role.name == "Finance"
    [row] = db.session.execute(select(AuditLog).filter_by(action="company_user.role_changed")).scalars()
    assert (row.actor_id, row.company_id, row.details["old"], row.details["new"]) == (
        admin.id, acme.id, "Buyer", "Finance")


def test_admin_cannot_change_own_role(testapp, make, login, db, acme, admin):
    login(testapp, admin)
    res = testapp.get(f"/company/users/{admin.id}")
    assert "This is you." in res.text and "role" not in res.forms
    token = testapp.get("/company/users/invite").forms["invite"]["csrf_token"].value
    res = testapp.post(f"/company/users/{admin.id}", {"csrf_token": token, "role": make.role("Viewer").id})
    assert "You cannot change your own role." in res.text
    assert membership(db, admin, acme).role.name == "Admin"


def test_the_last_admin_is_never_demoted_or_removed(make, db, acme, admin):
    staff = make.staff()
    own = membership(db, admin, acme)
    with pytest.raises(CompanyUsersError, match="last admin of ACME Tools"):
        company_users.change_role(own, make.role("Buyer").id, by=Actor.of(staff))
    with pytest.raises(CompanyUsersError, match="last admin of ACME Tools"):
        company_users.remove_access(own, by=Actor.of(staff))
    second = make.contact(acme, role="Admin")
    company_users.change_role(own, make.role("Buyer").id, by=Actor.of(second))
    db.session.commit()
    assert membership(db, admin, acme).role.name == "Buyer"


def test_an_admin_without_portal_access_does_not_count(make, db, acme, admin):
    make.contact(acme, role="Admin", portal_access=False)
    with pytest.raises(CompanyUsersError, match="last admin"):
        company_users.change_role(membership(db, admin, acme), make.role("Viewer").id, by=Actor.of(make.staff()))


# --- remove access -----------------------------------------------------------------------------------

def test_removing_the_only_company_of_a_contact_revokes_access_and_ends_sessions(testapp, make, login, db,
                                                                                acme, admin):
    bea = make.contact(acme, role="Buyer", name="Bea Buyer")
    beas_browser = TestApp(testapp.app)
    login(beas_browser, bea)
    login(testapp, admin)
    res = testapp.get(f"/company/users/{bea.id}").forms["remove"].submit().follow()
    assert "Bea Buyer no longer has access to ACME Tools." in res.text
    assert "sign-in is switched off" in res.text
    assert member_row(res, "Bea Buyer")[3] == "Removed"
    assert membership(db, bea, acme).is_active is False
    bea = fresh(db, bea)
    res = beas_browser.get("/dashboard")
    assert res.status_int == 302 and "/login" in res.location
    assert login(TestApp(testapp.app), bea, expect_success=False).status_int == 200  # cannot sign in
    # A customer ends a membership; only staff revoke a person's own access.
    assert (bea.portal_access, bea.invitation_state) == (True, InvitationState.not_invited)
    assert {"company_user.removed", "access.signed_out"} <= set(audit_actions(db, company_id=acme.id))


def test_removing_one_of_two_companies_keeps_the_other(testapp, make, login, db, acme, admin):
    other = make.company(name="Other Co")
    bea = make.contact(acme, role="Buyer", name="Bea Buyer")
    make.membership(bea, other, role="Admin")
    login(testapp, admin)
    res = testapp.get(f"/company/users/{bea.id}").forms["remove"].submit().follow()
    assert "sign-in is switched off" not in res.text
    assert fresh(db, bea).portal_access is True
    beas_browser = TestApp(testapp.app)
    res = login(beas_browser, bea)
    res = res.follow() if res.status_int == 302 else res
    assert "Other Co" in res.text
    assert "ACME Tools" not in beas_browser.get("/account").text


def test_a_removed_colleague_can_be_invited_again(testapp, make, login, db, acme, admin):
    bea = make.contact(acme, role="Buyer", name="Bea Buyer", email="bea@example.com")
    login(testapp, admin)
    testapp.get(f"/company/users/{bea.id}").forms["remove"].submit()
    res = invite(testapp, "Bea", "bea@example.com", role="Viewer").follow()
    assert member_row(res, "Bea Buyer")[2:4] == ["Buyer", "Removed"]
    assert invitation_row(res, "Bea")[1:3] == ["bea@example.com", "Viewer"]
    assert membership(db, bea, acme).is_active is False  # until she accepts
    TestApp(testapp.app).get(join_link(db, "bea@example.com")).forms["join"].submit()
    assert member_row(testapp.get("/company/users"), "Bea Buyer")[2:4] == ["Viewer", "Active"]
    assert membership(db, bea, acme).is_active is True
    assert fresh(db, bea).portal_access is True


def test_admin_cannot_remove_own_access(testapp, make, login, db, acme, admin):
    login(testapp, admin)
    token = testapp.get("/company/users/invite").forms["invite"]["csrf_token"].value
    res = testapp.post(f"/company/users/{admin.id}/remove", {"csrf_token": token}).follow()
    assert "You cannot remove your own access." in res.text
    assert membership(db, admin, acme).is_active is True


# --- isolation ---------------------------------------------------------------------------------------

def test_another_companys_member_is_404_for_every_action(testapp, make, login, db, acme, admin):
    other = make.company(name="Other Co")
    olga = make.contact(other, role="Buyer", name="Olga Other")
    rep = make.rep(access=RepAccess.all)
    login(testapp, admin)
    token = testapp.get("/company/users/invite").forms["invite"]["csrf_token"].value
    for target in (olga, rep):
        testapp.get(f"/company/users/{target.id}", status=404)
        testapp.post(f"/company/users/{target.id}", {"csrf_token": token, "role": make.role("Admin").id},
                     status=404)
        testapp.post(f"/company/users/{target.id}/remove", {"csrf_token": token}, status=404)
    assert membership(db, olga, other).role.name == "Buyer"
    assert membership(db, olga, other).is_active is True
    assert fresh(db, olga).portal_access is True
