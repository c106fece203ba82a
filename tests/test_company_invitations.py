"""A customer's admin invites someone to join their company: the same answer for any address, nothing
changes until the invitation is accepted, and staff revocation of a person holds whatever a customer does."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from webtest import TestApp

from portal.models import (
    AccessToken,
    AuditLog,
    InvitationState,
    Membership,
    OutboxEmail,
    User,
    UserKind,
)
from portal.models.base import utcnow
from portal.services import company_users
from portal.services.actor import Actor
from tests.conftest import PASSWORD
from tests.fixtures_mail import link_in, text_of
from tests.test_admin_invitations import row_form

NEW_PASSWORD = "plum orchard lantern 42"


@pytest.fixture
def acme(make):
    return make.company(name="ACME Tools")


@pytest.fixture
def ada(make, acme):
    return make.contact(acme, role="Admin", name="Ada Admin", email="ada@acme.example")


@pytest.fixture
def ada_browser(testapp, login, ada) -> TestApp:
    browser = TestApp(testapp.app)
    login(browser, ada)
    return browser


def invite(browser, name, email, role="Buyer", status="*"):
    form = browser.get("/company/users/invite").forms["invite"]
    form["name"], form["email"] = name, email
    form.select("role", text=role)
    return form.submit(status=status)


def flashes(res) -> str:
    return " ".join(n.get_text(" ", strip=True) for n in res.html.select(".flash"))


def accounts_and_memberships(db) -> list:
    """Everything an invitation must leave alone, as stored."""
    db.session.expire_all()
    users = db.session.execute(select(User.id, User.email, User.name, User.kind, User.portal_access,
                                      User.invitation_state, User.password_hash, User.is_active_flag)
                               .order_by(User.id)).all()
    memberships = db.session.execute(select(Membership.user_id, Membership.company_id, Membership.role_id,
                                            Membership.is_active).order_by(Membership.id)).all()
    return [users, memberships]


def sign_in_refused(app, email, password=PASSWORD) -> bool:
    client = TestApp(app)
    form = client.get("/login").forms["login"]
    form["email"], form["password"] = email, password
    res = form.submit()
    return res.status_int == 200 and "did not match an account with portal access" in res.text


# --- item 1: a staff revocation holds ------------------------------------------------------------------

def test_a_contact_revoked_by_staff_stays_out_whatever_another_companys_admin_does(
        db, make, mail_app, smtp_server, testapp, admin, acme, ada_browser):
    bolt = make.company(name="Bolt Fasteners")
    invoice = make.invoice(bolt)
    carl = make.contact(bolt, name="Carl Contact", email="carl@bolt.example",
                        invitation_state=InvitationState.accepted)
    carls_browser = TestApp(testapp.app)
    form = carls_browser.get("/login").forms["login"]
    form["email"], form["password"] = carl.email, PASSWORD
    form.submit(status=302)
    assert invoice.number in carls_browser.get(f"/invoices/{invoice.id}").text

    # Staff revoke Carl on the Invitations screen: he is signed out at once.
    row_form(admin.get("/admin/invitations/"), carl, "Revoke").submit().follow()
    assert carls_browser.get(f"/invoices/{invoice.id}", status=302).location.endswith(
        f"/login?next=/invoices/{invoice.id}")

    # The admin of another company invites Carl's address.
    res = invite(ada_browser, "Carl", carl.email).follow()
    # Nothing lets Carl back in: not his old password, not a sign-in or reset link...
    assert sign_in_refused(testapp.app, carl.email)
    assert f"Invitation sent to Carl ({carl.email})." in flashes(res)
    for page, form_name in (("/login/link", "magic_link"), ("/password/reset", "reset_request")):
        ask = TestApp(testapp.app).get(page).forms[form_name]
        ask["email"] = carl.email
        ask.submit(status=200)
    assert [m["Subject"] for m in smtp_server.to(carl.email)] == [
        "Ada Admin invited you to ACME Tools on the Portal portal"]
    # ...not accepting the invitation either: he joins ACME Tools, and stays signed out.
    joining = TestApp(testapp.app)
    page = joining.get(link_in(smtp_server.to(carl.email)[-1], "/join/"))
    res = page.forms["join"].submit().follow()
    assert "your portal access is switched off" in res.text
    assert joining.get(f"/invoices/{invoice.id}", status=302)
    assert sign_in_refused(testapp.app, carl.email)
    db.session.expire_all()
    carl = db.session.get(User, carl.id)
    assert (carl.portal_access, carl.invitation_state) == (False, InvitationState.revoked)
    assert sorted(m.company.name for m in carl.memberships if m.is_active) == ["ACME Tools", "Bolt Fasteners"]

    # Until staff lift it: a new invitation from the back office, accepted, lets him in again.
    row_form(admin.get("/admin/invitations/"), carl, "Send invitation").submit()
    page = TestApp(testapp.app).get(link_in(smtp_server.to(carl.email)[-1], "/invite/"))
    page.forms["accept"]["password"] = page.forms["accept"]["confirm"] = NEW_PASSWORD
    res = page.forms["accept"].submit(status=302).follow()
    assert res.request.path == "/dashboard"


def test_the_revocation_holds_whichever_way_the_contact_was_switched_off(db, make, acme, ada):
    """Unit: a contact whose own access staff switched off (contact record) accepts an invitation."""
    from portal.services import company_invitations, portal_access

    staff = make.staff()
    carl = make.contact(make.company(name="Bolt Fasteners"), email="carl@bolt.example")
    portal_access.set_contact_access(carl, False, Actor.of(staff))
    db.session.commit()
    invitation = company_invitations.invite_colleague(acme, name="Carl", email=carl.email,
                                                      role_id=make.role("Buyer").id, invited_by=Actor.of(ada))
    db.session.commit()
    raw = _raw_link_of(db, invitation)
    joined = company_invitations.accept(raw, by=Actor.system())
    db.session.commit()
    assert joined.user == carl and carl.portal_access is False
    from portal.services import sign_in

    assert not sign_in.may_sign_in(carl)


def _raw_link_of(db, invitation) -> str:
    email = db.session.execute(select(OutboxEmail).where(OutboxEmail.kind == "company_invitation",
                                                         OutboxEmail.to_address == invitation.email)
                               .order_by(OutboxEmail.id.desc())).scalars().first()
    return email.body_text.split("/join/", 1)[1].split()[0]


# --- item 2: the same answer for any address; joined only on acceptance -------------------------------------

def _addresses(make):
    other = make.company(name="Other Co")
    revoked = make.contact(other, name="Rob Revoked", email="rob@other.example", portal_access=False,
                           invitation_state=InvitationState.revoked)
    return {
        "new": "nobody.yet@example.com",
        "contact elsewhere": make.contact(other, name="Carl Existing", email="carl@other.example").email,
        "revoked": revoked.email,
        "staff": make.staff(name="Sam Staff", email="sam@northwind.example").email,
        "rep": make.rep(name="Rita Rep", email="rita@northwind.example").email,
        "deactivated": make.contact(other, name="Dee Inactive", email="dee@other.example",
                                    is_active_flag=False).email,
    }


def test_inviting_gives_the_same_answer_for_any_address_and_changes_no_account(db, make, acme, ada_browser):
    addresses = _addresses(make)
    before = accounts_and_memberships(db)
    answers = {}
    for kind, email in addresses.items():
        res = invite(ada_browser, "Pat Person", email, status=302)
        page = res.follow()
        answers[kind] = (res.status_int, res.location, flashes(page).replace(email, "EMAIL"))
        assert [td.get_text(strip=True) for td in page.html.find(id="company-invitations").tbody.find("tr")
                .find_all("td")][:3] == ["Pat Person", email, "Buyer"]
    assert len(set(answers.values())) == 1, answers
    assert "Invitation sent to Pat Person (EMAIL). They join ACME Tools when they accept it." in answers["new"][2]
    for name in ("Carl Existing", "Rob Revoked", "Sam Staff", "Rita Rep", "Dee Inactive"):
        assert name not in ada_browser.get("/company/users").text
    assert accounts_and_memberships(db) == before
    sent = db.session.execute(select(OutboxEmail.to_address, OutboxEmail.kind)
                              .where(OutboxEmail.kind == "company_invitation")).all()
    assert sorted(sent) == sorted((email, "company_invitation") for email in addresses.values())


def test_an_existing_contact_joins_when_accepting_the_emailed_invitation(db, make, mail_app, smtp_server, testapp,
                                                                         acme, ada_browser):
    other = make.company(name="Other Co")
    carl = make.contact(other, name="Carl Existing", email="carl@other.example",
                        invitation_state=InvitationState.accepted)
    invite(ada_browser, "Carl from Other", carl.email, role="Viewer")
    [message] = smtp_server.to(carl.email)
    assert "Hello Carl from Other" in text_of(message) and "join ACME Tools (Viewer)" in text_of(message)
    assert db.session.execute(select(Membership).filter_by(user_id=carl.id, company_id=acme.id)).first() is None

    res = TestApp(testapp.app).get(link_in(message, "/join/")).forms["join"].submit().follow()
    assert "You joined ACME Tools. Sign in to continue." in res.text
    browser = TestApp(testapp.app)
    form = browser.get("/login").forms["login"]
    form["email"], form["password"] = carl.email, PASSWORD
    form.submit(status=302)
    account = browser.get("/account").text
    assert "ACME Tools" in account and "Other Co" in account
    assert "Carl Existing" in ada_browser.get("/company/users").text  # a member now, under his own name
    joined = db.session.execute(select(AuditLog).where(AuditLog.action == "company_invitation.accepted")).scalar_one()
    assert (joined.actor_id, joined.company_id) == (carl.id, acme.id)


def test_a_contact_without_a_login_gets_one_only_when_it_opens_nothing_but_the_inviting_company(
        db, make, testapp, acme, ada_browser):
    """Joining switches a person's own access on only when it was never switched off and nothing else opens."""
    nina = make.contact(acme, name="Nina New", email="nina@acme.example", password=None, portal_access=False)
    otto = make.contact(make.company(name="Bolt Fasteners"), name="Otto Other", email="otto@bolt.example",
                        password=None, portal_access=False)
    for person in (nina, otto):
        invite(ada_browser, person.name, person.email)
        page = TestApp(testapp.app).get("/join/" + _raw_link_of(db, _open(db, acme, person.email)))
        page.forms["join"]["password"] = page.forms["join"]["confirm"] = NEW_PASSWORD
        page.forms["join"].submit()
    db.session.expire_all()
    assert db.session.get(User, nina.id).portal_access is True
    assert not sign_in_refused(testapp.app, nina.email, NEW_PASSWORD)
    assert db.session.get(User, otto.id).portal_access is False  # would have opened Bolt Fasteners too
    assert sign_in_refused(testapp.app, otto.email, NEW_PASSWORD)


def _open(db, company, email):
    from portal.services import company_invitations

    return company_invitations.open_invitation(company, email)


def test_withdraw_and_resend(db, make, testapp, acme, ada_browser):
    invite(ada_browser, "Wendy", "wendy@example.com")
    first = "/join/" + _raw_link_of(db, _open(db, acme, "wendy@example.com"))
    res = ada_browser.get("/company/users")
    invitation_id = _open(db, acme, "wendy@example.com").id
    res = res.forms[f"resend-{invitation_id}"].submit().follow()
    assert "Invitation sent to Wendy (wendy@example.com) again." in flashes(res)
    second = "/join/" + _raw_link_of(db, _open(db, acme, "wendy@example.com"))
    assert "withdrawn" in TestApp(testapp.app).get(first, status=410).text
    res = res.forms[f"withdraw-{invitation_id}"].submit().follow()
    assert "Invitation of Wendy (wendy@example.com) withdrawn" in flashes(res)
    assert "No open invitations." in res.text
    assert "withdrawn" in TestApp(testapp.app).get(second, status=410).text
    assert db.session.execute(select(User).filter_by(email="wendy@example.com")).first() is None


def test_an_open_invitation_is_not_sent_twice_but_an_expired_one_is(db, make, acme, ada_browser):
    invite(ada_browser, "Wendy", "wendy@example.com")
    res = invite(ada_browser, "Wendy", "wendy@example.com", status=200)
    assert "wendy@example.com was invited to ACME Tools on" in res.text and "has not accepted yet" in res.text
    db.session.execute(update(AccessToken).values(expires_dt=utcnow() - timedelta(minutes=1)))
    invitation = _open(db, acme, "wendy@example.com")
    invitation.expires_dt = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "Expired" in ada_browser.get("/company/users").text
    invite(ada_browser, "Wendy W.", "wendy@example.com", status=302)
    assert len(db.session.execute(select(OutboxEmail).filter_by(to_address="wendy@example.com")).all()) == 2


def test_invitations_by_a_customer_are_rate_limited(app, db, make, acme, ada_browser):
    app.config["COLLEAGUE_INVITE_RATE_LIMIT"] = "3 per hour"
    try:
        invite(ada_browser, "Oops", "not an address", status=200)  # refused input does not count
        for n in range(3):
            invite(ada_browser, f"Person {n}", f"person{n}@example.com", status=302)
        res = invite(ada_browser, "Person 4", "person4@example.com", status=429)
        assert "You have sent many invitations in a short time" in res.text
        invitation_id = _open(db, acme, "person0@example.com").id
        token = ada_browser.get("/company/users").forms[f"resend-{invitation_id}"]["csrf_token"].value
        ada_browser.post(f"/company/users/invitations/{invitation_id}/resend", {"csrf_token": token}, status=429)
    finally:
        app.config.pop("COLLEAGUE_INVITE_RATE_LIMIT")
    assert len(db.session.execute(select(OutboxEmail).where(OutboxEmail.kind == "company_invitation")).all()) == 3


def test_a_new_address_becomes_a_contact_with_the_name_and_password_chosen(db, make, testapp, acme, ada,
                                                                           ada_browser):
    invite(ada_browser, "Bob", "bob@example.com", role="Viewer")
    page = TestApp(testapp.app).get("/join/" + _raw_link_of(db, _open(db, acme, "bob@example.com")))
    form = page.forms["join"]
    form["name"], form["password"], form["confirm"] = "", NEW_PASSWORD, NEW_PASSWORD
    assert "Enter your name." in form.submit(status=200).text
    form = page.forms["join"]
    form["name"], form["password"], form["confirm"] = "Robert Brown", "short", "short"
    assert "Use at least 10 characters." in form.submit(status=200).text
    assert db.session.execute(select(User).filter_by(email="bob@example.com")).first() is None
    form["password"] = form["confirm"] = NEW_PASSWORD
    res = form.submit(status=302).follow()
    assert "Welcome! You joined ACME Tools and are signed in." in res.text
    bob = db.session.execute(select(User).filter_by(email="bob@example.com")).scalar_one()
    assert (bob.name, bob.kind, bob.invitation_state) == ("Robert Brown", UserKind.contact, InvitationState.accepted)
    assert company_users.membership_of(acme, bob.id).role.name == "Viewer"
