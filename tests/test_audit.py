"""The audit trail records who acted, for which company, as which rep, from where: the acting
principal (portal.services.actor.Actor) is built by the view and passed to the services."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from webtest import TestApp

from portal.models import AuditLog, TokenPurpose, User
from portal.services import audit, invitations, tokens
from portal.services.actor import Actor
from tests.conftest import PASSWORD
from tests.fixtures_admin import model_form

IP = "203.0.113.7"
NEW_PASSWORD = "a fresh and long passphrase"


def rows(db, action: str) -> list[tuple]:
    """(actor, company, acting rep, object type, object id, details, ip) of each row of an action."""
    db.session.expire_all()
    return [(r.actor_id, r.company_id, r.acting_rep_id, r.object_type, r.object_id, r.details, r.ip)
            for r in db.session.execute(select(AuditLog).filter_by(action=action).order_by(AuditLog.id)).scalars()]


@pytest.fixture
def browser(testapp):
    testapp.extra_environ["REMOTE_ADDR"] = IP
    return testapp


@pytest.fixture
def acme(make):
    return make.company(name="ACME Tools")


# --- the rows themselves ------------------------------------------------------------------------------

def test_the_company_is_the_one_given_else_the_actors_else_the_objects(db, make, acme):
    other = make.company()
    address = make.address(other)
    contact = make.contact(acme)
    acting = Actor(user=contact, company_id=acme.id, ip=IP)
    audit.record("a.given", address, company_id=other.id, actor=acting)
    audit.record("a.actors", address, actor=acting)
    audit.record("a.objects", address, actor=Actor.of(contact))
    audit.record("a.none", None, actor=Actor.system())
    db.session.commit()
    assert rows(db, "a.given")[0][:3] == (contact.id, other.id, None)
    assert rows(db, "a.actors") == [(contact.id, acme.id, None, "address", address.id, {}, IP)]
    assert rows(db, "a.objects")[0][:3] == (contact.id, other.id, None)
    assert rows(db, "a.none") == [(None, None, None, None, None, {}, None)]


def test_a_rep_is_recorded_as_the_acting_rep(make, acme):
    rep = make.rep(allocated=[acme])
    assert (Actor.of(rep).acting_rep_id, Actor.of(make.staff()).acting_rep_id) == (rep.id, None)


def test_acting_as_another_user_keeps_the_origin_but_not_the_company_or_session(make, acme):
    contact, staff = make.contact(acme), make.staff()
    by = Actor(user=staff, ip=IP, user_agent="Firefox", session_key="secret")
    them = by.as_user(contact)
    assert (them.user, them.company_id, them.ip, them.user_agent, them.session_key) == (contact, None, IP, "Firefox",
                                                                                      None)
    assert by.as_user(staff) is by
    assert "secret" not in repr(by)


# --- what a request records: the same rows the request-reading audit used to write ------------------------

def test_a_contact_changing_their_profile(db, browser, make, login, acme):
    contact = make.contact(acme, name="Ann Old")
    login(browser, contact)
    form = browser.get("/account").forms["profile"]
    form["name"] = "Ann New"
    form.submit()
    assert rows(db, "account.profile_updated") == [
        (contact.id, acme.id, None, "user", contact.id, {"fields": "name"}, IP)]


def test_a_rep_acting_for_a_customer(db, browser, make, login, acme):
    rep = make.rep(allocated=[acme], name="Rita Rep")
    login(browser, rep).forms[f"act-{acme.id}"].submit()
    form = browser.get("/account/addresses/new").forms["address"]
    form["kind"], form["line1"], form["city"], form["country"] = "shipping", "Quay 3", "Delft", "NL"
    form.submit()
    [row] = rows(db, "address.added")
    assert row[:3] == (rep.id, acme.id, rep.id) and row[6] == IP
    assert rows(db, "rep.act_for") == [(rep.id, acme.id, rep.id, "company", acme.id, {}, IP)]
    form = browser.get("/account/password").forms["password"]
    form["current"], form["new"], form["confirm"] = PASSWORD, NEW_PASSWORD, NEW_PASSWORD
    form.submit()
    assert rows(db, "password.changed") == [(rep.id, acme.id, rep.id, "user", rep.id, {}, IP)]


def test_a_contact_changing_their_password(db, browser, make, login, acme):
    other = make.company(name="Another")
    contact = make.contact(acme)
    make.membership(contact, other)
    login(browser, contact)
    form = browser.get("/account/password").forms["password"]
    form["current"], form["new"], form["confirm"] = PASSWORD, NEW_PASSWORD, NEW_PASSWORD
    form.submit()
    assert rows(db, "password.changed") == [(contact.id, acme.id, None, "user", contact.id, {}, IP)]


def test_staff_editing_a_record_and_setting_a_password(db, browser, make, login, acme):
    staff = make.staff()
    contact = make.contact(acme)
    login(browser, staff)
    form = model_form(browser.get(f"/admin/user/edit/?id={contact.id}"))
    form["password"] = NEW_PASSWORD
    form.submit()
    [update] = rows(db, "admin.update")
    assert update[:5] == (staff.id, None, None, "user", contact.id) and update[6] == IP
    # the row names the person whose password changed, from the staff member's address
    assert rows(db, "password.changed") == [(contact.id, acme.id, None, "user", contact.id, {}, IP)]
    form = model_form(browser.get(f"/admin/user/edit/?id={contact.id}"))
    form["portal_access"] = False
    form.submit()
    assert rows(db, "access.revoked") == [(staff.id, acme.id, None, "user", contact.id, {"email": contact.email},
                                           IP)]


def test_someone_using_a_link_before_signing_in(db, browser, make, acme):
    user = make.contact(acme)
    raw = tokens.issue(TokenPurpose.password_reset, user=user, ttl=timedelta(hours=1))
    invitee = make.contact(acme, password=None, portal_access=False)
    link = invitations.invite(invitee)
    db.session.commit()
    form = browser.get(f"/password/reset/{raw}").forms["reset"]
    form["password"] = form["confirm"] = NEW_PASSWORD
    form.submit()
    assert rows(db, "password.reset") == [(user.id, acme.id, None, "user", user.id, {}, IP)]
    fresh = TestApp(browser.app, extra_environ={"REMOTE_ADDR": IP})
    form = fresh.get("/invite/" + link.rsplit("/", 1)[1]).forms["accept"]
    form["password"] = form["confirm"] = NEW_PASSWORD
    form.submit()
    assert rows(db, "invitation.accepted") == [(invitee.id, acme.id, None, "user", invitee.id, {}, IP)]
    assert db.session.get(User, invitee.id).check_password(NEW_PASSWORD)
