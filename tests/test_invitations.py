"""Invitations: email -> accept -> password -> signed in; bad links get a friendly page; revocation."""
from datetime import timedelta

import pytest
from sqlalchemy import select
from webtest import TestApp

from portal import settings
from portal.models import AccessToken, AuditLog, InvitationState, OutboxEmail, TokenPurpose
from portal.models.base import utcnow
from portal.services import invitations, tokens
from portal.services.actor import Actor
from portal.services.outbox import deliver_due
from tests.fixtures_mail import link_in, text_of

GOOD_PASSWORD = "mellow tractor puzzle"


@pytest.fixture
def invitee(make):
    company = make.company(name="ACME Tools")
    return make.contact(company, role="Buyer", email="anna@acme.example", name="Anna Smith", password=None,
                        portal_access=False)


def _invite(db, user, staff=None) -> str:
    link = invitations.invite(user, invited_by=Actor.of(staff) if staff is not None else None)
    db.session.commit()
    return link


def _relative(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def _copy_browser(testapp) -> TestApp:
    """Another browser holding a copy of testapp's cookies (a stolen or copied session cookie)."""
    other = TestApp(testapp.app)  # testapp.app gives each request a fresh `g`, as in production
    for name, value in testapp.cookies.items():
        other.set_cookie(name, value)
    return other


def _accept_form(res, password, confirm=None):
    form = res.forms["accept"]
    form["password"] = password
    form["confirm"] = password if confirm is None else confirm
    return form.submit()


def _audit_actions(db) -> list[str]:
    return list(db.session.execute(select(AuditLog.action).order_by(AuditLog.id)).scalars())


# --- the journey, through real email ----------------------------------------------------------------

def test_invited_contact_accepts_from_the_email_and_lands_on_the_dashboard(db, make, mail_app, smtp_server,
                                                                             testapp, invitee):
    settings.save({"branding.business_name": "Northwind Supply"})
    staff = make.staff(name="Sam Staff")
    _invite(db, invitee, staff)
    assert deliver_due(mail_app).sent == 1
    [message] = smtp_server.messages
    assert message["To"] == "anna@acme.example"
    assert "Northwind Supply" in message["Subject"]
    assert "Sam Staff invited you" in text_of(message)
    assert "ACME Tools" in text_of(message)

    res = testapp.get(link_in(message, "/invite/"))
    assert "ACME Tools" in res.text and "anna@acme.example" in res.text

    for weak, problem in [("short", "at least 10 characters"), ("aaaaaaaaaaaa", "one character repeated"),
                          ("anna@acme.example", "your email address or name"), ("Anna Smith", "your email"),
                          ("password123", "too common")]:
        res = _accept_form(res, weak)
        assert res.status_int == 200
        assert problem in res.text, weak
    res = _accept_form(res, GOOD_PASSWORD, confirm="something else entirely")
    assert "do not match" in res.text

    res = _accept_form(res, GOOD_PASSWORD)
    assert res.status_int == 302
    res = res.follow()
    assert res.request.path == "/dashboard"
    assert "ACME Tools" in res.text and "Welcome!" in res.text

    db.session.expire_all()
    assert invitee.invitation_state == InvitationState.accepted
    assert invitee.check_password(GOOD_PASSWORD)
    welcome = smtp_server.to("anna@acme.example")[-1]
    assert "Welcome" in welcome["Subject"]
    assert "/login" in text_of(welcome)
    assert _audit_actions(db) == ["invitation.sent", "invitation.accepted"]

    # The same link a second time: already used, a friendly page.
    other = TestApp(testapp.app)
    res = other.get(link_in(message, "/invite/"), status=410)
    assert "already used" in res.text and "Sign in" in res.text


def test_the_invitation_link_uses_the_configured_domain(db, invitee):
    settings.save({"domain.base_url": "https://portal.northwind.example"})
    link = _invite(db, invitee)
    assert link.startswith("https://portal.northwind.example/invite/")
    [email] = db.session.execute(select(OutboxEmail)).scalars().all()
    assert link in email.body_text


@pytest.mark.parametrize("change, status, message", [
    ("expire", 410, "This link has expired"),
    ("use", 410, "This link was already used"),
    ("revoke", 410, "This link was withdrawn"),
    ("garble", 404, "This link is not valid"),
])
def test_unusable_invitation_links_get_a_friendly_page(db, testapp, invitee, change, status, message):
    link = _relative(_invite(db, invitee))
    if change == "expire":
        token = db.session.execute(select(AccessToken)).scalar_one()
        token.expires_dt = utcnow() - timedelta(minutes=1)
    elif change == "use":
        invitations.accept(link.rsplit("/", 1)[1], GOOD_PASSWORD, by=Actor.system())
    elif change == "revoke":
        invitations.revoke(invitee)
    else:
        link = link[:-4] + "AAAA"
    db.session.commit()
    settings.save({"branding.business_name": "Northwind Supply"})
    res = testapp.get(link, status=status)
    assert message in res.text
    assert "Northwind Supply" in res.text
    assert res.headers["Cache-Control"] == "no-store"
    # Posting a password to it changes nothing either.
    csrf = testapp.get("/login").forms["login"]["csrf_token"].value
    res = testapp.post(link, {"csrf_token": csrf, "password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD},
                       status=status)
    assert message in res.text
    db.session.expire_all()
    assert invitee.check_password(GOOD_PASSWORD) == (change == "use")


def test_a_new_invitation_withdraws_the_previous_link(db, testapp, invitee):
    first = _relative(_invite(db, invitee))
    second = _relative(invitations.resend(invitee, None))
    db.session.commit()
    assert "withdrawn" in testapp.get(first, status=410).text
    assert "Choose a password" in testapp.get(second).text


# --- the service ------------------------------------------------------------------------------------

def test_contacts_of_a_company_without_portal_access_cannot_be_invited(db, make):
    company = make.company(name="Closed Ltd", portal_access=False)
    user = make.contact(company, portal_access=False)
    with pytest.raises(invitations.InvitationError, match="Closed Ltd does not have portal access"):
        invitations.invite(user)
    db.session.rollback()
    assert user.portal_access is False
    assert db.session.execute(select(AccessToken)).first() is None
    assert db.session.execute(select(OutboxEmail)).first() is None


def test_a_contact_without_a_company_cannot_be_invited(db, make):
    with pytest.raises(invitations.InvitationError, match="not linked to a company"):
        invitations.invite(make.user())


def test_invite_turns_access_on_and_records_who_invited(db, make, invitee):
    staff = make.staff()
    link = _invite(db, invitee, staff)
    assert invitee.portal_access is True
    assert invitee.invitation_state == InvitationState.invited
    token = db.session.execute(select(AccessToken)).scalar_one()
    assert token.purpose == TokenPurpose.invitation
    assert token.created_by_id == staff.id
    assert timedelta(days=13, hours=23) < tokens.aware(token.expires_dt) - utcnow() <= timedelta(days=14)
    assert link.rsplit("/", 1)[1] not in token.token_hash
    [email] = db.session.execute(select(OutboxEmail)).scalars().all()
    assert (email.kind, email.to_address) == ("invitation", "anna@acme.example")
    log = db.session.execute(select(AuditLog)).scalar_one()
    assert (log.action, log.actor_id, log.object_id) == ("invitation.sent", staff.id, invitee.id)


def test_links_for_csv_export_are_unique_and_send_no_email(db, make):
    company = make.company()
    people = [make.contact(company, portal_access=False) for _ in range(3)]
    rows = invitations.links_for(people, Actor.of(make.staff()))
    db.session.commit()
    assert [user for user, _ in rows] == people
    assert len({link for _, link in rows}) == 3
    assert db.session.execute(select(OutboxEmail)).first() is None
    assert all(p.invitation_state == InvitationState.invited for p in people)


def test_links_for_refuses_all_when_one_cannot_be_invited(db, make):
    ok = make.contact(make.company(), portal_access=False)
    blocked = make.contact(make.company(name="Closed Ltd", portal_access=False), portal_access=False)
    with pytest.raises(invitations.InvitationError, match="Closed Ltd"):
        invitations.links_for([ok, blocked], None)
    db.session.rollback()
    assert db.session.execute(select(AccessToken)).first() is None


def test_an_accepted_contact_is_not_sent_another_invitation(db, invitee):
    link = _invite(db, invitee)
    invitations.accept(link.rsplit("/", 1)[1], GOOD_PASSWORD, by=Actor.system())
    db.session.commit()
    with pytest.raises(invitations.InvitationError, match="already accepted"):
        invitations.resend(invitee, None)


def test_revoking_access_ends_sessions_and_links_at_once(db, make, testapp, login, invitee):
    staff = make.staff()
    link = _invite(db, invitee)
    invitations.accept(link.rsplit("/", 1)[1], GOOD_PASSWORD, by=Actor.system())
    db.session.commit()
    login(testapp, invitee, password=GOOD_PASSWORD)
    copied = _copy_browser(testapp)
    assert copied.get("/dashboard").status_int == 200
    pending_reset = tokens.issue(TokenPurpose.password_reset, user=invitee, ttl=timedelta(hours=1))
    db.session.commit()

    invitations.revoke(invitee, by=Actor.of(staff))
    db.session.commit()

    for browser in (testapp, copied):
        res = browser.get("/dashboard", status=302)
        assert "/login" in res.location
    assert "withdrawn" in testapp.get(f"/password/reset/{pending_reset}", status=410).text
    res = login(testapp, invitee, password=GOOD_PASSWORD, expect_success=False)
    assert "did not match an account with portal access" in res.text
    assert invitee.invitation_state == InvitationState.revoked
    assert _audit_actions(db)[-1] == "access.revoked"
    revoked = db.session.execute(select(AuditLog).where(AuditLog.action == "access.revoked")).scalar_one()
    assert revoked.actor_id == staff.id


def test_a_revoked_contact_can_be_invited_again(db, testapp, invitee):
    _invite(db, invitee)
    invitations.revoke(invitee)
    db.session.commit()
    link = _relative(_invite(db, invitee))
    res = _accept_form(testapp.get(link), GOOD_PASSWORD)
    assert res.follow().request.path == "/dashboard"


def test_an_invited_sales_rep_accepts_and_lands_on_the_customer_picker(db, make, testapp):
    rep = make.rep(allocated=[make.company(name="ACME Tools")], email="rita@northwind.example", password=None)
    link = _relative(_invite(db, rep))
    res = _accept_form(testapp.get(link), GOOD_PASSWORD).follow()
    assert res.request.path == "/customers"
    assert "ACME Tools" in res.text


def test_staff_accounts_are_not_invited_to_the_portal(db, make):
    with pytest.raises(invitations.InvitationError, match="staff account"):
        invitations.invite(make.staff())


def _wait_for_mail(db, smtp_server, address: str, timeout: float = 15.0):
    """The live server delivers right after its response, in its own thread: wait for the message."""
    import time

    deadline = time.monotonic() + timeout
    while not smtp_server.to(address):
        if time.monotonic() > deadline:
            db.session.expire_all()
            outbox = db.session.execute(select(OutboxEmail.to_address, OutboxEmail.status, OutboxEmail.attempts,
                                                OutboxEmail.last_error)).all()
            raise AssertionError(f"no email to {address} arrived; outbox: {outbox}")
        time.sleep(0.05)
    return smtp_server.to(address)[-1]


@pytest.mark.browser
def test_browser_journey_from_invitation_email_to_dashboard(db, make, mail_app, smtp_server, live_server,
                                                            new_browser_page, invitee):
    """Staff invites from the admin Invitations screen; the contact accepts from the email received by
    the real SMTP server, in another browser context, and lands on the dashboard."""
    from playwright.sync_api import expect

    from tests.conftest import PASSWORD

    settings.save({"domain.base_url": live_server, "branding.business_name": "Northwind Supply"})
    staff = make.staff(name="Sam Staff", email="sam@northwind.example")

    staff_page = new_browser_page()
    staff_page.goto("/login")
    staff_page.get_by_label("Email").fill(staff.email)
    staff_page.get_by_label("Password").fill(PASSWORD)
    staff_page.get_by_role("button", name="Sign in").click()
    staff_page.wait_for_url(f"{live_server}/admin/")
    staff_page.goto("/admin/invitations/")
    row = staff_page.get_by_role("row").filter(has_text="anna@acme.example")
    expect(row).to_contain_text("ACME Tools")
    expect(row).to_contain_text("Not invited")
    staff_page.get_by_label("Select Anna Smith").check()
    staff_page.once("dialog", lambda dialog: dialog.accept())  # "Send the invitation email to ...?"
    staff_page.get_by_role("button", name="Invite selected").click()
    expect(staff_page.get_by_text("Invitation queued for 1 contact(s): anna@acme.example.")).to_be_visible()
    expect(staff_page.get_by_role("row").filter(has_text="anna@acme.example")).to_contain_text("Invited")

    message = _wait_for_mail(db, smtp_server, "anna@acme.example")
    assert "Sam Staff invited you" in text_of(message)
    link = link_in(message, "/invite/", relative=False)
    assert link.startswith(live_server)

    page = new_browser_page()
    page.goto(link)
    expect(page.get_by_text("ACME Tools").first).to_be_visible()
    page.get_by_label("New password").fill("short")
    page.get_by_label("Repeat the password").fill("short")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_text("Use at least 10 characters.")).to_be_visible()
    page.get_by_label("New password").fill(GOOD_PASSWORD)
    page.get_by_label("Repeat the password").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    page.wait_for_url(f"{live_server}/dashboard")
    expect(page.get_by_text("Welcome! Your password is set and you are signed in.")).to_be_visible()

    staff_page.reload()
    expect(staff_page.get_by_role("row").filter(has_text="anna@acme.example")).to_contain_text("Accepted")
