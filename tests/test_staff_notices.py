"""Staff notifications: recipients per event set on the Portal settings screen, the email they get."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from webtest import TestApp

from portal import settings
from portal.models import AuditLog, EmailTemplate, NotificationRoute, OutboxEmail
from portal.services import company_users, invitations, staff_notices
from portal.services.actor import Actor
from portal.services.outbox import deliver_due
from tests.fixtures_admin import errors_of
from tests.fixtures_mail import link_in, text_of

GOOD_PASSWORD = "mellow tractor puzzle"


def settings_form(admin):
    return admin.get("/admin/settings/").forms["settings"]


def routes(db) -> dict[str, NotificationRoute]:
    db.session.expire_all()
    return {r.kind: r for r in db.session.execute(select(NotificationRoute)).scalars()}


def outbox_to(db, address) -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.execute(select(OutboxEmail).filter_by(to_address=address, kind="staff_notice")).scalars())


@pytest.fixture
def invitee(make):
    company = make.company(name="ACME Tools")
    return make.contact(company, role="Buyer", email="anna@acme.example", name="Anna Smith", password=None,
                        portal_access=False)


def accept_invitation(testapp, db, contact) -> None:
    link = invitations.invite(contact)
    db.session.commit()
    form = TestApp(testapp.app).get(urlsplit(link).path).forms["accept"]
    form["password"] = form["confirm"] = GOOD_PASSWORD
    form.submit(status=302)


def test_every_declared_event_has_a_row_on_the_settings_screen(admin):
    page = admin.get("/admin/settings/")
    section = page.html.select_one("#group-notifications")
    for kind, label in staff_notices.kinds().items():
        assert label in section.get_text()
        for part in ("user", "team", "template"):
            assert section.select_one(f'[name="notify.{kind}.{part}"]') is not None


def test_staff_route_an_event_and_the_people_chosen_get_the_email_with_a_working_link(
        admin, testapp, db, make, staff, invitee, mail_app, smtp_server):
    form = settings_form(admin)
    form["notify.invitation_accepted.user"] = str(staff.id)
    form["notify.invitation_accepted.team"] = "Sales@Northwind.example"
    res = form.submit().follow()
    assert "Settings saved." in res.text
    assert res.forms["settings"]["notify.invitation_accepted.user"].value == str(staff.id)
    assert res.forms["settings"]["notify.invitation_accepted.team"].value == "sales@northwind.example"

    accept_invitation(testapp, db, invitee)
    deliver_due(mail_app)
    [to_staff] = smtp_server.to(staff.email)
    [to_team] = smtp_server.to("sales@northwind.example")
    assert to_staff["Subject"] == "A contact accepted an invitation: ACME Tools"
    body = text_of(to_staff)
    assert "Anna Smith accepted the invitation" in body and "anna@acme.example" in body
    assert text_of(to_team) == body.replace(f"Hello {staff.name}", "Hello team")
    link = urlsplit(link_in(to_staff, "/admin/"))
    edit_page = admin.get(f"{link.path}?{link.query}")
    assert edit_page.status_int == 200 and "anna@acme.example" in edit_page.text


def test_an_event_nobody_is_set_to_hear_about_sends_no_staff_email(testapp, db, make, invitee):
    make.staff(name="Stella Staff")
    accept_invitation(testapp, db, invitee)
    db.session.expire_all()
    assert db.session.execute(select(OutboxEmail).filter_by(kind="staff_notice")).first() is None
    assert [e.kind for e in db.session.execute(select(OutboxEmail)).scalars()] == ["invitation", "welcome"]


def test_a_chosen_template_shapes_the_email(admin, db, make):
    template = EmailTemplate(key="new_colleague", name="New colleague at a customer",
                             subject="New user at {{ company_name }}",
                             body_text="{{ contact_name }} ({{ contact_email }}) joined. {{ summary }}")
    db.session.add(template)
    db.session.commit()
    form = settings_form(admin)
    form["notify.colleague_invited.team"] = "accounts@northwind.example"
    form["notify.colleague_invited.template"] = str(template.id)
    form.submit().follow()

    acme = make.company(name="ACME Tools")
    boss = make.contact(acme, role="Admin", name="Ada Admin")
    company_users.invite_colleague(acme, name="Bob Buyer", email="bob@example.com",
                                   role_id=company_users.roles()[1].id, invited_by=Actor.of(boss))
    db.session.commit()
    [email] = outbox_to(db, "accounts@northwind.example")
    assert email.subject == "New user at ACME Tools"
    assert email.body_text.startswith("Bob Buyer (bob@example.com) joined. Ada Admin invited Bob Buyer "
                                      "(bob@example.com) to ACME Tools as")


def test_removing_a_colleague_notifies_the_team(admin, db, make):
    form = settings_form(admin)
    form["notify.colleague_removed.team"] = "accounts@northwind.example"
    form.submit().follow()
    acme = make.company(name="ACME Tools")
    boss = make.contact(acme, role="Admin", name="Ada Admin")
    bea = make.contact(acme, role="Buyer", name="Bea Buyer")
    company_users.remove_access(company_users.membership_of(acme, bea.id), by=Actor.of(boss))
    db.session.commit()
    [email] = outbox_to(db, "accounts@northwind.example")
    assert "Ada Admin removed Bea Buyer's access to ACME Tools." in email.body_text


@pytest.mark.parametrize("part, value, message", [
    ("team", "not an address", "A contact accepted an invitation: the team mailbox is not a valid email address."),
    ("user", "999999", "A contact accepted an invitation: choose a staff member from the list."),
    ("template", "abc", "A contact accepted an invitation: choose a template from the list."),
])
def test_a_bad_recipient_is_explained_and_nothing_is_saved(admin, db, part, value, message):
    form = settings_form(admin)
    form["branding.business_name"] = "Renamed Ltd"
    form["notify.colleague_invited.team"] = "accounts@northwind.example"
    if part == "team":
        form[f"notify.invitation_accepted.{part}"] = value
        res = form.submit(status=200)
    else:  # a value the list does not offer (a forged or stale post)
        fields = dict(form.submit_fields())
        fields[f"notify.invitation_accepted.{part}"] = value
        res = admin.post("/admin/settings/", fields, status=200)
    assert message in errors_of(res)
    assert "Nothing was saved" in res.text
    assert routes(db) == {}
    assert settings.get("branding.business_name") != "Renamed Ltd"


def test_clearing_both_recipients_stops_the_notices(admin, db, staff):
    form = settings_form(admin)
    form["notify.invitation_accepted.user"] = str(staff.id)
    form.submit().follow()
    assert set(routes(db)) == {"invitation_accepted"}
    form = settings_form(admin)
    form["notify.invitation_accepted.user"] = ""
    form.submit().follow()
    assert routes(db) == {}
    last_save = db.session.execute(select(AuditLog).where(AuditLog.action == "settings.save")
                                   .order_by(AuditLog.id.desc())).scalars().first()
    assert last_save.details["notifications"] == "invitation_accepted"


def test_a_staff_member_who_left_gets_nothing_but_the_team_still_does(db, make):
    leaver = make.staff(name="Lee Leaver", email="lee@northwind.example")
    db.session.add(NotificationRoute(kind="invitation_accepted", recipient_user_id=leaver.id,
                                     team_email="sales@northwind.example"))
    leaver.is_active_flag = False
    db.session.commit()
    sent = staff_notices.notify("invitation_accepted", "Someone accepted.")
    assert [e.to_address for e in sent] == ["sales@northwind.example"]


def test_a_feature_declares_its_own_notifications(db):
    from portal.features import registry

    feature = registry().get("orders")
    feature.events["test_event"] = "Something in a feature happened"
    try:
        assert staff_notices.kinds()["test_event"] == "Something in a feature happened"
        assert staff_notices.offered()["test_event"] == "Something in a feature happened"
        settings.set_feature("orders", False)
        assert "test_event" not in staff_notices.offered()  # off: no row on the settings screen
        assert "test_event" in staff_notices.kinds()
    finally:
        del feature.events["test_event"]
    with pytest.raises(KeyError):
        staff_notices.notify("test_event", "no longer declared")
