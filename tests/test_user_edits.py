"""What staff change on a user record (portal.services.user_edits), without HTTP, and the messages
the Users screen shows for it; sign-in sessions carry the actor's address."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import AuditLog, User, UserKind, UserSession
from portal.services import portal_access, sessions, user_edits
from portal.services.actor import Actor
from portal.services.user_edits import UserEditError
from tests.fixtures_admin import errors_of, model_form

NEW_PASSWORD = "a fresh and long passphrase"


@pytest.fixture
def staff_actor(make):
    return Actor(user=make.staff(), ip="203.0.113.7")


def _edit(user: User, **wanted) -> dict:
    """What a form does: remember the stored access fields, then write the typed values."""
    stored = user_edits.stored_access(user)
    for key, value in wanted.items():
        setattr(user, key, value)
    return stored


def test_a_new_email_withdraws_links_and_says_so(db, make, staff_actor):
    contact = make.contact(make.company(), email="anna@acme.example")
    stored = _edit(contact, email="Anna.Smith@ACME.example")
    notes = user_edits.apply_access(contact, stored=stored, is_created=False, by=staff_actor)
    assert notes == ["Email changed to anna.smith@acme.example: links sent to the old address no longer work."]
    db.session.commit()
    row = db.session.execute(select(AuditLog).filter_by(action="user.email_changed")).scalar_one()
    assert (row.actor_id, row.ip) == (staff_actor.user_id, "203.0.113.7")


def test_switching_access_off_is_a_revocation(db, make, staff_actor):
    contact = make.contact(make.company(), name="Anna Smith")
    stored = _edit(contact, portal_access=False)
    assert user_edits.apply_access(contact, stored=stored, is_created=False, by=staff_actor) == [
        ("Portal access of Anna Smith revoked: open sessions end on their next request and outstanding links no "
        "longer work.")]
    db.session.commit()
    assert db.session.execute(select(AuditLog.action).filter_by(action="access.revoked")).scalar_one()


def test_access_for_a_company_without_access_is_refused_on_its_field(db, make, staff_actor):
    contact = make.contact(make.company(name="Closed Ltd", portal_access=False), portal_access=False)
    stored = _edit(contact, portal_access=True)
    with pytest.raises(portal_access.AccessError) as refused:
        user_edits.apply_access(contact, stored=stored, is_created=False, by=staff_actor)
    assert refused.value.field == "portal_access" and "Closed Ltd does not have customer portal access" in str(
        refused.value)


def test_a_taken_email_is_refused_on_its_field(db, make, staff_actor):
    make.user(email="taken@example.com")
    contact = make.contact(make.company())
    stored = _edit(contact, email="TAKEN@example.com")
    with pytest.raises(portal_access.AccessError) as refused:
        user_edits.apply_access(contact, stored=stored, is_created=False, by=staff_actor)
    assert (refused.value.field, str(refused.value)) == ("email", ("taken@example.com is already used by another "
                                                                  "account."))


@pytest.mark.parametrize(("kind", "active", "refused"), [
    (UserKind.contact, True, True),
    (UserKind.staff, False, True),
    (UserKind.staff, True, False),
])
def test_staff_cannot_lock_themselves_out(db, make, kind, active, refused):
    me = make.staff()
    me.kind, me.is_active_flag = kind, active
    if refused:
        with pytest.raises(UserEditError, match="You cannot take away your own staff access.") as error:
            user_edits.keep_own_staff_access(me, Actor.of(me))
        assert error.value.field == "kind"
    else:
        user_edits.keep_own_staff_access(me, Actor.of(me))
    user_edits.keep_own_staff_access(me, Actor.of(make.staff()))  # someone else may


@pytest.mark.parametrize("kind", [UserKind.staff, UserKind.rep])
def test_staff_and_reps_need_a_password(db, kind):
    with pytest.raises(UserEditError, match="Staff and sales reps need a password to sign in.") as refused:
        user_edits.set_password(User(kind=kind, name="X", email="x@example.com"), "", is_created=True,
                                by=Actor.system())
    assert refused.value.field == "password"
    user_edits.set_password(User(kind=UserKind.contact, name="X", email="x@example.com"), "", is_created=True,
                            by=Actor.system())


def test_a_weak_password_is_refused_on_its_field(db, make):
    with pytest.raises(UserEditError, match="Use at least 10 characters.") as refused:
        user_edits.set_password(make.contact(), "short", is_created=False, by=Actor.system())
    assert refused.value.field == "password"


def test_a_password_staff_set_ends_the_users_sessions(db, make, staff_actor):
    contact = make.contact()
    key = sessions.open_session(contact, Actor(ip="198.51.100.1", user_agent="Phone"))
    db.session.commit()
    user_edits.set_password(contact, NEW_PASSWORD, is_created=False, by=staff_actor)
    db.session.commit()
    assert contact.check_password(NEW_PASSWORD)
    assert sessions.live_user(contact.id, key) is None


def test_a_session_records_where_the_sign_in_came_from(db, make):
    user = make.contact()
    key = sessions.open_session(user, Actor(ip="198.51.100.1", user_agent="Firefox/140"))
    db.session.commit()
    row = db.session.execute(select(UserSession)).scalar_one()
    assert (row.ip, row.user_agent, row.user_id) == ("198.51.100.1", "Firefox/140", user.id)
    assert sessions.live_user(user.id, key) == user and user.last_login_dt is not None
    sessions.close(key)
    db.session.commit()
    assert sessions.live_user(user.id, key) is None


# --- the Users screen shows the same messages ------------------------------------------------------------

def test_staff_cannot_take_away_their_own_staff_access_on_the_form(admin, db, staff):
    form = model_form(admin.get(f"/admin/user/edit/?id={staff.id}"))
    form["is_active_flag"] = False
    assert "You cannot take away your own staff access." in errors_of(form.submit())
    db.session.expire_all()
    assert db.session.get(User, staff.id).is_active_flag is True


def test_a_new_rep_without_password_is_a_form_error(admin, db):
    form = model_form(admin.get("/admin/user/new/"))
    form["name"], form["email"], form["kind"] = "Rita Rep", "rita@example.com", UserKind.rep.value
    assert "Staff and sales reps need a password to sign in." in errors_of(form.submit())
    assert db.session.execute(select(User).filter_by(email="rita@example.com")).scalar_one_or_none() is None
