"""Staff invite contacts from the Invitations screen: email (received by a real SMTP server), CSV of links,
resend, copy link, revoke; and the Outbox screen where staff read, resend and deliver email."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from webtest import TestApp
from webtest.forms import Text

from portal.models import AccessToken, AuditLog, InvitationState, OutboxEmail, OutboxStatus, TokenPurpose
from portal.models.base import utcnow
from portal.services import invitations, tokens
from portal.services.actor import Actor
from tests.fixtures_mail import link_in, text_of

NEW_PASSWORD = "mellow tractor puzzle"
SCREEN = "/admin/invitations/"


@pytest.fixture
def people(make):
    acme = make.company(name="ACME Tools")
    closed = make.company(name="Closed Ltd", portal_access=False)
    anna = make.contact(acme, role="Buyer", name="Anna Smith", email="anna@acme.example", password=None,
                        portal_access=False)
    bob = make.contact(acme, role="Viewer", name="Bob Jones", email="bob@acme.example", password=None,
                       portal_access=False)
    carl = make.contact(closed, role="Admin", name="Carl Closed", email="carl@closed.example", password=None,
                        portal_access=False)
    return {"acme": acme, "closed": closed, "anna": anna, "bob": bob, "carl": carl}


def checkbox_value(listing, user) -> str:
    """The value of a contact's row checkbox, found by its label as a person would."""
    box = listing.html.select_one(f'input.action-checkbox[aria-label="Select {user.name}"]')
    assert box is not None, f"no row for {user.name}"
    return box["value"]


def run_action(listing, name: str, users):
    """Tick the rows, then press an action button (the page's script copies the ticks into the action form)."""
    form = listing.forms["action_form"]
    form["action"] = name
    for n, user in enumerate(users):
        box = Text(form, "input", "rowid", 1000 + n, value=checkbox_value(listing, user))
        form.fields.setdefault("rowid", []).append(box)
        form.field_order.append(("rowid", box))
    return form.submit()


def row_form(listing, user, button: str):
    """The small form behind a row button (Resend, Copy link, Revoke) of one contact."""
    for form in listing.forms.values():
        if "user_id" in form.fields and form["user_id"].value == str(user.id) and button in form.html.get_text():
            return form
    raise AssertionError(f"no {button!r} button for {user.name}")


def buttons_of(listing, user) -> list[str]:
    box = listing.html.select_one(f'input.action-checkbox[aria-label="Select {user.name}"]')
    return [b.get_text(strip=True) for b in box.find_parent("tr").select("form button")]


def row_of(listing, user) -> str:
    box = listing.html.select_one(f'input.action-checkbox[aria-label="Select {user.name}"]')
    return box.find_parent("tr").get_text(" ", strip=True) if box else ""


def flashes(res) -> str:
    return " ".join(n.get_text(" ", strip=True) for n in res.html.select(".alert"))


def accept(client: TestApp, link: str, password: str = NEW_PASSWORD):
    res = client.get(link)
    form = res.forms["accept"]
    form["password"] = password
    form["confirm"] = password
    return form.submit()


def count(db, model, *where) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


# --- invite selected -----------------------------------------------------------------------------------

def test_invite_selected_emails_the_contact_who_accepts_and_lands_on_the_dashboard(
        db, admin, people, staff, mail_app, smtp_server):
    listing = admin.get(SCREEN)
    assert "Invite selected" in listing.text and "Generate invites and export CSV" in listing.text

    res = run_action(listing, "invite", [people["anna"], people["carl"]]).follow()
    text = flashes(res)
    assert "Invitation queued for 1 contact(s): anna@acme.example." in text
    assert "Email from your last action: 1 sent." in text
    assert "Skipped 1 contact(s)" in text
    assert "carl@closed.example: Closed Ltd does not have portal access" in text

    [message] = smtp_server.messages  # delivered by the real SMTP server right after the request
    assert message["To"] == "anna@acme.example"
    assert "Stella Staff invited you" in text_of(message)
    assert "ACME Tools" in text_of(message)
    assert "Invited" in row_of(res, people["anna"]) and "Not invited" in row_of(res, people["carl"])

    contact = TestApp(admin.app)
    res = accept(contact, link_in(message, "/invite/"))
    res = res.follow()
    assert res.request.path == "/dashboard"
    assert "ACME Tools" in res.text

    db.session.expire_all()
    assert people["anna"].invitation_state == InvitationState.accepted
    assert people["carl"].invitation_state == InvitationState.not_invited
    sent = db.session.execute(select(AuditLog).where(AuditLog.action == "invitation.sent")).scalar_one()
    assert (sent.actor_id, sent.object_id) == (staff.id, people["anna"].id)
    assert "Accepted" in row_of(admin.get(SCREEN), people["anna"])


def test_accepted_contacts_are_skipped_not_invited_again(db, admin, people, mail_app, smtp_server):
    link = invitations.invite(people["anna"], send_email=False)
    invitations.accept(link.rsplit("/", 1)[1], NEW_PASSWORD, by=Actor.system())
    db.session.commit()
    res = run_action(admin.get(SCREEN), "invite", [people["anna"]]).follow()
    assert "anna@acme.example has already accepted an invitation" in flashes(res)
    assert smtp_server.messages == []
    db.session.expire_all()
    assert people["anna"].invitation_state == InvitationState.accepted
    assert people["anna"].check_password(NEW_PASSWORD)


def test_an_action_without_a_selection_says_so(db, admin, people):
    res = run_action(admin.get(SCREEN), "invite", []).follow()
    assert "Select at least one contact." in flashes(res)
    assert count(db, AccessToken) == 0


# --- the list ------------------------------------------------------------------------------------------

def test_the_list_shows_every_contact_with_company_role_state_and_last_invited(db, admin, people, make):
    make.staff(name="Sid Staffer")
    make.rep(name="Rita Rep")
    invitations.invite(people["bob"])
    db.session.commit()
    listing = admin.get(SCREEN)
    names = [box["aria-label"] for box in listing.html.select("input.action-checkbox")]
    assert names == ["Select Anna Smith", "Select Bob Jones", "Select Carl Closed"]  # contacts only
    bob = row_of(listing, people["bob"])
    assert "bob@acme.example" in bob and "ACME Tools" in bob and "Viewer" in bob and "Invited" in bob
    token = db.session.execute(select(AccessToken)).scalar_one()
    assert tokens.aware(token.created_dt).strftime("%Y-%m-%d %H:%M") in bob
    assert "Closed Ltd (no portal access)" in row_of(listing, people["carl"])


def test_filter_by_state_and_search_by_name_email_or_company(db, admin, people):
    invitations.invite(people["bob"])
    db.session.commit()

    def shown(url):
        return [b["aria-label"].removeprefix("Select ") for b in admin.get(url).html.select("input.action-checkbox")]

    assert shown(SCREEN + "?flt0_state_equals=invited") == ["Bob Jones"]
    assert shown(SCREEN + "?flt0_state_equals=not_invited") == ["Anna Smith", "Carl Closed"]
    assert shown(SCREEN + "?search=closed") == ["Carl Closed"]  # by company name
    assert shown(SCREEN + "?search=ANNA@") == ["Anna Smith"]
    assert shown(SCREEN + "?search=jones") == ["Bob Jones"]
    assert shown(SCREEN + f"?flt0_company_is={people['acme'].id}") == ["Anna Smith", "Bob Jones"]


def test_the_list_costs_the_same_queries_for_many_contacts(db, admin, people, make, count_queries):
    def queries() -> int:
        with count_queries() as counter:
            admin.get(SCREEN)
        return counter.count

    few = queries()
    for n in range(12):
        invitations.invite(make.contact(people["acme"], name=f"Extra {n}", password=None), send_email=False)
    db.session.commit()
    assert queries() == few


# --- CSV of links --------------------------------------------------------------------------------------

def test_csv_export_has_one_unique_working_link_per_contact_and_sends_no_email(
        db, admin, people, mail_app, smtp_server):
    res = run_action(admin.get(SCREEN), "export_links", [people["anna"], people["bob"]])
    assert res.status_int == 200 and res.content_type == "text/csv"
    assert "attachment" in res.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(res.text)))
    assert [(r["name"], r["email"], r["company"], r["role"]) for r in rows] == [
        ("Anna Smith", "anna@acme.example", "ACME Tools", "Buyer"),
        ("Bob Jones", "bob@acme.example", "ACME Tools", "Viewer"),
    ]
    links = [r["link"] for r in rows]
    assert len(set(links)) == 2 and all("/invite/" in link for link in links)
    assert smtp_server.messages == []
    assert count(db, OutboxEmail) == 0

    for row in rows:
        page = TestApp(admin.app).get(link_in_text(row["link"]))
        assert row["email"] in page.text and "Choose a password" in page.text
    res = accept(TestApp(admin.app), link_in_text(rows[1]["link"])).follow()
    assert res.request.path == "/dashboard"
    logs = db.session.execute(select(AuditLog.action).where(AuditLog.action == "invitation.link_created"))
    assert len(logs.all()) == 2


def link_in_text(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_csv_export_refuses_when_a_selected_contact_cannot_be_invited(db, admin, people):
    res = run_action(admin.get(SCREEN), "export_links", [people["anna"], people["carl"]])
    assert res.status_int == 302
    res = res.follow()
    assert "No links were made." in flashes(res)
    assert "Closed Ltd does not have portal access" in flashes(res)
    assert count(db, AccessToken) == 0
    db.session.expire_all()
    assert people["anna"].invitation_state == InvitationState.not_invited


# --- one contact: resend, copy link, revoke --------------------------------------------------------------

def test_resend_sends_a_new_email_and_the_old_link_stops_working(db, admin, people, mail_app, smtp_server):
    run_action(admin.get(SCREEN), "invite", [people["anna"]])
    first = link_in(smtp_server.messages[-1], "/invite/")
    res = row_form(admin.get(SCREEN), people["anna"], "Resend").submit().follow()
    assert "Invitation to Anna Smith (anna@acme.example) queued. Any earlier link no longer works." in flashes(res)
    assert "Email from your last action: 1 sent." in flashes(res)
    assert len(smtp_server.to("anna@acme.example")) == 2
    second = link_in(smtp_server.messages[-1], "/invite/")
    assert second != first

    contact = TestApp(admin.app)
    assert "This link was withdrawn" in contact.get(first, status=410).text
    assert accept(contact, second).follow().request.path == "/dashboard"


def test_copy_link_shows_a_fresh_link_once_and_sends_nothing(db, admin, people, mail_app, smtp_server):
    earlier = link_in_text(invitations.invite(people["bob"], send_email=False))
    db.session.commit()
    res = row_form(admin.get(SCREEN), people["bob"], "Copy link").submit()
    assert res.status_int == 200
    assert res.headers["Cache-Control"] == "no-store"
    field = res.html.select_one("#invitation-link")
    assert res.html.select_one('label[for="invitation-link"]') is not None
    assert res.html.find("button", id="copy-link").get_text(strip=True) == "Copy"
    link = field["value"]
    assert "/invite/" in link and "shown only now" in res.text
    assert smtp_server.messages == []

    contact = TestApp(admin.app)
    assert "withdrawn" in contact.get(earlier, status=410).text
    assert accept(contact, link_in_text(link)).follow().request.path == "/dashboard"
    # Nothing stored can show that link again.
    token = db.session.execute(select(AccessToken).where(AccessToken.used_dt.is_not(None))).scalar_one()
    assert link.rsplit("/", 1)[1] not in token.token_hash
    assert link not in admin.get(SCREEN).text


def test_revoke_logs_out_an_open_session_and_withdraws_its_links(db, admin, people, login, staff):
    anna = people["anna"]
    link = invitations.invite(anna, send_email=False)
    invitations.accept(link.rsplit("/", 1)[1], NEW_PASSWORD, by=Actor.system())
    magic = tokens.issue(TokenPurpose.magic_link, user=anna, ttl=timedelta(minutes=15))
    db.session.commit()
    contact = TestApp(admin.app)
    login(contact, anna, password=NEW_PASSWORD)
    assert contact.get("/dashboard").status_int == 200

    listing = admin.get(SCREEN)
    assert buttons_of(listing, anna) == ["Revoke"]  # accepted: nothing to resend
    res = row_form(listing, anna, "Revoke").submit().follow()
    assert "Portal access of Anna Smith (anna@acme.example) revoked" in flashes(res)
    assert "Revoked" in row_of(res, anna)

    res = contact.get("/dashboard", status=302)
    assert "/login" in res.location
    assert "This link was withdrawn" in TestApp(admin.app).get(f"/login/link/{magic}", status=410).text
    res = login(contact, anna, password=NEW_PASSWORD, expect_success=False)
    assert "did not match an account with portal access" in res.text
    revoked = db.session.execute(select(AuditLog).where(AuditLog.action == "access.revoked")).scalar_one()
    assert revoked.actor_id == staff.id


def test_revoke_is_offered_only_to_contacts_who_have_access_to_revoke(db, admin, people, make):
    """Never invited and no access: nothing to revoke. Access ticked by staff (they can sign in by an
    emailed link) or an invitation out: Revoke."""
    never = make.contact(people["acme"], role="Viewer", name="Nina Never", email="nina@acme.example", password=None,
                         portal_access=False)
    ticked = make.contact(people["acme"], role="Viewer", name="Tim Ticked", email="tim@acme.example", password=None,
                          portal_access=True)  # access ticked on the contact form, never invited
    invitations.invite(people["anna"], send_email=False)
    db.session.commit()
    listing = admin.get(SCREEN)
    assert buttons_of(listing, never) == ["Send invitation", "Copy link"]
    assert buttons_of(listing, ticked) == ["Send invitation", "Copy link", "Revoke"]
    assert buttons_of(listing, people["bob"]) == ["Send invitation", "Copy link"]
    assert buttons_of(listing, people["anna"]) == ["Resend", "Copy link", "Revoke"]


def test_a_revoked_contact_can_be_invited_again_from_the_row(db, admin, people, mail_app, smtp_server):
    invitations.invite(people["anna"], send_email=False)
    invitations.revoke(people["anna"])
    db.session.commit()
    listing = admin.get(SCREEN)
    assert buttons_of(listing, people["anna"]) == ["Send invitation", "Copy link"]
    row_form(listing, people["anna"], "Send invitation").submit()
    res = accept(TestApp(admin.app), link_in(smtp_server.messages[-1], "/invite/")).follow()
    assert res.request.path == "/dashboard"


@pytest.mark.parametrize("button", ["Send invitation", "Copy link"])
def test_a_contact_of_a_company_without_portal_access_is_refused_with_the_reason(db, admin, people, button):
    res = row_form(admin.get(SCREEN), people["carl"], button).submit()
    assert res.status_int == 302
    assert "Closed Ltd does not have portal access" in flashes(res.follow())
    assert count(db, AccessToken) == 0
    db.session.expire_all()
    assert people["carl"].invitation_state == InvitationState.not_invited


def test_revoking_again_says_there_is_nothing_to_revoke(db, admin, people):
    invitations.invite(people["anna"], send_email=False)
    db.session.commit()
    form = row_form(admin.get(SCREEN), people["anna"], "Revoke")
    form.submit()
    res = form.submit().follow()  # the same button again, e.g. from a second tab
    assert "anna@acme.example has no portal access to revoke." in flashes(res)
    assert count(db, AuditLog, AuditLog.action == "access.revoked") == 1


@pytest.mark.parametrize("user_id", ["999999", "abc", ""])
@pytest.mark.parametrize("button", ["Send invitation", "Copy link"])
def test_row_buttons_for_an_unknown_contact_say_so(db, admin, people, button, user_id):
    form = row_form(admin.get(SCREEN), people["anna"], button)
    form["user_id"] = user_id
    res = form.submit()
    assert res.status_int == 302
    assert "That contact was not found" in flashes(res.follow())
    assert count(db, AccessToken) == 0


def test_row_buttons_need_the_csrf_token(db, admin, people):
    form = row_form(admin.get(SCREEN), people["anna"], "Send invitation")
    form["csrf_token"] = "forged"
    res = form.submit(expect_errors=True)
    assert res.status_int == 400
    assert count(db, AccessToken) == 0


def test_staff_accounts_cannot_be_targeted_through_the_screen(db, admin, people, staff):
    form = row_form(admin.get(SCREEN), people["anna"], "Send invitation")
    form["user_id"] = str(staff.id)
    assert "That contact was not found" in flashes(form.submit().follow())
    res = run_action(admin.get(SCREEN), "invite", [people["anna"]])
    assert res.status_int == 302
    db.session.expire_all()
    assert count(db, AccessToken, AccessToken.user_id == staff.id) == 0


# --- the outbox ----------------------------------------------------------------------------------------

def test_without_smtp_staff_read_held_invitations_with_their_tokens_masked(db, admin, people, testapp):
    run_action(admin.get(SCREEN), "invite", [people["anna"]])
    email = db.session.execute(select(OutboxEmail)).scalar_one()
    listing = admin.get("/admin/outbox-email/")
    action = listing.forms["action_form"]
    action["action"] = "deliver"
    box = Text(action, "input", "rowid", 99, value=str(email.id))
    action.fields["rowid"] = [box]
    action.field_order.append(("rowid", box))
    res = action.submit().follow()
    assert "No SMTP server is configured" in flashes(res)
    db.session.expire_all()
    assert db.session.get(OutboxEmail, email.id).status == OutboxStatus.held

    details = admin.get(f"/admin/outbox-email/details/?id={email.id}")
    body = details.html.select_one("pre.email-body")
    raw = link_in_text(re.search(r"https?://\S+/invite/\S+", email.body_text).group(0))
    assert "/invite/" in body.text and raw not in details.text  # the link is there, its token masked
    assert not [a for a in body.select("a") if "/invite/" in a["href"]]
    # the email itself still works (it is delivered as it was written)
    res = accept(TestApp(admin.app), raw).follow()
    assert res.request.path == "/dashboard"


def outbox_action(admin, name: str, emails):
    listing = admin.get("/admin/outbox-email/")
    action = listing.forms["action_form"]
    action["action"] = name
    for n, email in enumerate(emails):
        box = Text(action, "input", "rowid", 99 + n, value=str(email.id))
        action.fields.setdefault("rowid", []).append(box)
        action.field_order.append(("rowid", box))
    return action.submit().follow()


def test_outbox_resend_and_deliver_now_through_real_smtp(db, admin, staff, smtp_server, mail_app):
    sent = OutboxEmail(kind="invoice", to_address="ap@acme.example", subject="Invoice 1", body_text="Hi",
                       status=OutboxStatus.sent, attempts=1)
    # failed twice; its next retry is two hours away
    retrying = OutboxEmail(kind="invoice", to_address="ap@acme.example", subject="Invoice 2", body_text="Hi",
                           status=OutboxStatus.queued, attempts=2, last_error="SMTPServerDisconnected: gone",
                           next_attempt_dt=utcnow() + timedelta(hours=2))
    db.session.add_all([sent, retrying])
    db.session.commit()

    details = admin.get(f"/admin/outbox-email/details/?id={retrying.id}").text
    assert "SMTPServerDisconnected: gone" in details and "Next attempt" in details and "Attempts" in details

    res = outbox_action(admin, "deliver", [retrying])
    assert "Delivery: sent 1" in flashes(res)
    assert [m["Subject"] for m in smtp_server.messages] == ["Invoice 2"]

    res = outbox_action(admin, "requeue", [sent, retrying])
    assert "2 email(s) queued again." in flashes(res)
    assert sorted(m["Subject"] for m in smtp_server.messages) == ["Invoice 1", "Invoice 2", "Invoice 2"]
    db.session.expire_all()
    assert {e.status for e in db.session.execute(select(OutboxEmail)).scalars()} == {OutboxStatus.sent}
    logs = db.session.execute(select(AuditLog.action, AuditLog.actor_id).where(AuditLog.action.like("outbox.%")))
    assert sorted(logs.all()) == [("outbox.deliver_now", staff.id), ("outbox.resend", staff.id)]
