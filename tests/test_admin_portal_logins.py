"""Staff give contacts a portal login (seed 003) and invite them from the company record (seed 004): the
welcome email with a sign-in link, "Create portal login", the company's Invitations panel, and
"Revoke selected" on the Invitations screen."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from webtest import TestApp
from webtest.forms import Text

from portal.models import AuditLog, InvitationState, Membership, OutboxEmail, User
from portal.services import invitations
from portal.services.actor import Actor
from tests.fixtures_admin import add_inline, model_form
from tests.fixtures_mail import link_in, text_of

NEW_PASSWORD = "mellow tractor puzzle"


@pytest.fixture
def acme(make):
    return make.company(name="ACME Tools")


@pytest.fixture
def nina(make, acme):
    """A contact of ACME Tools without a portal login."""
    return make.contact(acme, name="Nina New", email="nina@acme.example", password=None, portal_access=False)


def flashes(res) -> str:
    return " ".join(n.get_text(" ", strip=True) for n in res.html.select(".alert"))


def signs_in_by_emailed_link(app, smtp_server, welcome) -> TestApp:
    """Follow the welcome email as the contact would: ask for a sign-in link, open it, confirm."""
    browser = TestApp(app)
    page = browser.get(link_in(welcome, "/login/link"))
    assert page.forms["magic_link"]["email"].value == welcome["To"]  # filled in from the welcome link
    page.forms["magic_link"].submit(status=200)
    link = link_in(smtp_server.to(welcome["To"])[-1], "/login/link/")
    res = browser.get(link).forms["confirm"].submit(status=302).follow()
    assert res.request.path == "/dashboard"
    return browser


def welcomes(db) -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.execute(select(OutboxEmail).filter_by(kind="access_granted")).scalars())


# --- the welcome email ----------------------------------------------------------------------------------

def test_switching_access_on_from_the_contact_record_emails_a_welcome_with_a_sign_in_link(
        db, admin, testapp, nina, mail_app, smtp_server):
    form = model_form(admin.get(f"/admin/user/edit/?id={nina.id}"))
    form["portal_access"] = True
    res = form.submit().follow()
    assert "Welcome email with a sign-in link sent to Nina New (nina@acme.example)." in flashes(res)
    [welcome] = smtp_server.to(nina.email)
    assert welcome["Subject"] == "Your Portal portal access is ready"
    assert "access to its customer portal for ACME Tools" in text_of(welcome)
    signs_in_by_emailed_link(testapp.app, smtp_server, welcome)
    # Saving the record again tells nobody anything new.
    model_form(admin.get(f"/admin/user/edit/?id={nina.id}")).submit().follow()
    assert len(welcomes(db)) == 1


def test_create_portal_login_on_the_contact_record(db, admin, testapp, nina, mail_app, smtp_server, staff):
    page = admin.get(f"/admin/user/edit/?id={nina.id}")
    assert page.html.select_one("#portal-login-state").get_text(strip=True) == "No portal login."
    res = page.forms["create-login"].submit().follow()
    assert res.request.path == "/admin/user/edit/"
    assert ("Portal login created for Nina New: a welcome email with a sign-in link is on its way to "
            "nina@acme.example.") in flashes(res)
    assert "Has a portal login" in res.html.select_one("#portal-login-state").get_text()
    assert "create-login" not in res.forms
    signs_in_by_emailed_link(testapp.app, smtp_server, smtp_server.to(nina.email)[0])
    log = db.session.execute(select(AuditLog).where(AuditLog.action == "access.welcomed")).scalar_one()
    assert (log.actor_id, log.object_id) == (staff.id, nina.id)


def test_create_portal_login_is_refused_with_the_reason_when_no_company_has_the_portal(db, admin, make):
    closed = make.company(name="Closed Ltd", portal_access=False)
    carl = make.contact(closed, name="Carl Closed", email="carl@closed.example", portal_access=False)
    res = admin.get(f"/admin/user/edit/?id={carl.id}").forms["create-login"].submit().follow()
    assert "Closed Ltd does not have customer portal access" in flashes(res)
    db.session.expire_all()
    assert db.session.get(User, carl.id).portal_access is False
    assert welcomes(db) == []


def test_create_portal_login_lifts_a_staff_revocation(db, admin, testapp, acme, make, mail_app, smtp_server):
    rob = make.contact(acme, name="Rob Revoked", email="rob@acme.example", invitation_state=InvitationState.accepted)
    invitations.revoke(rob, by=Actor.system())
    db.session.commit()
    page = admin.get(f"/admin/user/edit/?id={rob.id}")
    assert "Revoked by staff" in page.html.select_one("#portal-login-state").get_text()
    page.forms["create-login"].submit()
    signs_in_by_emailed_link(testapp.app, smtp_server, smtp_server.to(rob.email)[0])


def test_adding_a_contact_to_a_company_on_the_company_record_welcomes_them_to_it(
        db, admin, make, acme, mail_app, smtp_server):
    bolt = make.company(name="Bolt Fasteners")
    anna = make.contact(acme, name="Anna Smith", email="anna@acme.example")
    form = model_form(admin.get(f"/admin/company/edit/?id={bolt.id}"))
    add_inline(form, "memberships", 0, user=anna.id, role=make.role("Buyer").id, is_active="y")
    res = form.submit().follow()
    assert "Welcome email with a sign-in link sent to Anna Smith (anna@acme.example)." in flashes(res)
    [welcome] = smtp_server.to(anna.email)
    assert "for Bolt Fasteners" in text_of(welcome) and "ACME Tools" not in text_of(welcome)
    assert "sign in with your email address and your password" in text_of(welcome)

    # Switching the company's portal off and on again is the company's switch: nobody is emailed.
    for enabled in (False, True):
        form = model_form(admin.get(f"/admin/company/edit/?id={bolt.id}"))
        form["portal_access"] = enabled
        form.submit().follow()
    assert len(welcomes(db)) == 1


def test_reactivating_a_membership_welcomes_the_contact_back(db, admin, make, acme, mail_app, smtp_server):
    anna = make.contact(acme, name="Anna Smith", email="anna@acme.example")
    membership = db.session.execute(select(Membership).filter_by(user_id=anna.id)).scalar_one()
    membership.is_active = False
    db.session.commit()
    form = model_form(admin.get(f"/admin/membership/edit/?id={membership.id}"))
    form["is_active"] = True
    res = form.submit().follow()
    assert "Welcome email with a sign-in link sent to Anna Smith" in flashes(res)
    assert [m["Subject"] for m in smtp_server.to(anna.email)] == ["Your Portal portal access is ready"]


# --- the company record's Invitations panel (seed 004) ----------------------------------------------------

def panel_form(page, user, button: str):
    row = page.html.select_one(f"#invitations-panel #invitation-{user.id}")
    assert row is not None, f"no row for {user.name} in the Invitations panel"
    for form in page.forms.values():
        if "user_id" in form.fields and form["user_id"].value == str(user.id) and button in form.html.get_text():
            return form
    raise AssertionError(f"no {button!r} button for {user.name}")


def test_the_company_record_invites_resends_copies_and_revokes(db, admin, testapp, acme, nina, mail_app,
                                                               smtp_server):
    record = f"/admin/company/edit/?id={acme.id}"
    page = admin.get(record)
    assert "Not invited" in page.html.select_one(f"#invitation-{nina.id}").get_text()

    res = panel_form(page, nina, "Send invitation").submit()
    assert res.location.endswith(record)
    res = res.follow()
    assert "Invitation to Nina New (nina@acme.example) queued." in flashes(res)
    assert "Email from your last action: 1 sent." in flashes(res)
    first = link_in(smtp_server.to(nina.email)[-1], "/invite/")
    assert "Invited" in res.html.select_one(f"#invitation-{nina.id}").get_text()

    res = panel_form(res, nina, "Resend").submit().follow()
    second = link_in(smtp_server.to(nina.email)[-1], "/invite/")
    assert "withdrawn" in TestApp(testapp.app).get(first, status=410).text

    shown = panel_form(res, nina, "Copy link").submit()
    link = shown.html.select_one("#invitation-link")["value"]
    assert shown.html.find("a", string="Back to invitations")["href"].endswith(record)
    assert "withdrawn" in TestApp(testapp.app).get(second, status=410).text
    contact = TestApp(testapp.app)
    accept = contact.get("/" + link.split("://", 1)[1].split("/", 1)[1]).forms["accept"]
    accept["password"] = accept["confirm"] = NEW_PASSWORD
    assert accept.submit(status=302).follow().request.path == "/dashboard"

    page = admin.get(record)
    assert "Accepted" in page.html.select_one(f"#invitation-{nina.id}").get_text()
    res = panel_form(page, nina, "Revoke").submit().follow()
    assert "Portal access of Nina New (nina@acme.example) revoked" in flashes(res)
    assert "Revoked" in res.html.select_one(f"#invitation-{nina.id}").get_text()
    assert contact.get("/dashboard", status=302).location.endswith("/login?next=/dashboard")


# --- Revoke selected ---------------------------------------------------------------------------------------

def test_revoke_selected_on_the_invitations_screen(db, admin, testapp, login, make, acme, nina):
    anna = make.contact(acme, name="Anna Smith", email="anna@acme.example", invitation_state=InvitationState.accepted)
    bea = make.contact(acme, name="Bea Buyer", email="bea@acme.example", invitation_state=InvitationState.accepted)
    browsers = {}
    for person in (anna, bea):
        browsers[person.id] = TestApp(testapp.app)
        login(browsers[person.id], person)
    listing = admin.get("/admin/invitations/")
    assert "Revoke selected" in listing.text
    form = listing.forms["action_form"]
    form["action"] = "revoke"
    for n, person in enumerate((anna, bea, nina)):
        box = listing.html.select_one(f'input.action-checkbox[aria-label="Select {person.name}"]')
        field = Text(form, "input", "rowid", 1000 + n, value=box["value"])
        form.fields.setdefault("rowid", []).append(field)
        form.field_order.append(("rowid", field))
    res = form.submit().follow()
    text = flashes(res)
    assert "Portal access revoked for 2 contact(s): anna@acme.example, bea@acme.example." in text
    assert "Skipped 1 contact(s): nina@acme.example has no portal access to revoke." in text
    for person in (anna, bea):
        assert browsers[person.id].get("/dashboard", status=302).location.endswith("/login?next=/dashboard")
    db.session.expire_all()
    assert [u.invitation_state for u in (anna, bea)] == [InvitationState.revoked] * 2
    assert db.session.execute(select(func.count(AuditLog.id)).where(AuditLog.action == "access.revoked")
                              ).scalar_one() == 2


@pytest.mark.browser
def test_browser_revoke_selected_and_the_company_panel(db, make, acme, nina, live_server, new_browser_page):
    """In a real browser: the Revoke selected button (a script submits the action form after a confirm)
    and the company record's Copy link, which comes back to the record."""
    from playwright.sync_api import expect

    from tests.conftest import PASSWORD

    staff = make.staff(name="Sam Staff", email="sam@northwind.example")
    make.contact(acme, name="Anna Smith", email="anna@acme.example", invitation_state=InvitationState.accepted)
    page = new_browser_page()
    page.goto("/login")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/admin/")

    page.goto(f"/admin/company/edit/?id={acme.id}")
    panel = page.locator("#invitations-panel")
    expect(panel.get_by_role("row").filter(has_text="Nina New")).to_contain_text("Not invited")
    panel.get_by_role("button", name="Copy link: a new invitation link for Nina New").click()
    expect(page.get_by_label("Invitation link")).to_have_value(re.compile(r"/invite/"))
    page.get_by_role("link", name="Back to invitations").click()
    expect(page.locator("#invitations-panel").get_by_role("row").filter(has_text="Nina New")).to_contain_text(
        "Invited")

    page.goto("/admin/invitations/")
    page.get_by_label("Select Anna Smith").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke selected").click()
    expect(page.get_by_text("Portal access revoked for 1 contact(s): anna@acme.example.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="anna@acme.example")).to_contain_text("Revoked")
