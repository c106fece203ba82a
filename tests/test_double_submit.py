"""A link pressed twice at the same moment works once: real parallel requests on the suite's engine.

Each client opens the page first (own cookies, own CSRF token), then all post together. Runs on
the session SQLite file, and on PostgreSQL in the CI run, where the requests truly overlap.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db as _db
from portal.models import AuditLog, Membership, OutboxEmail, TokenPurpose, User
from portal.services import invitations, tokens

CLIENTS = 8


def _post_together(live_client, path: str, form_selector: str, signed_in=None, **values) -> list:
    """CLIENTS browsers (copies of `signed_in` when given) open `path`, then post its form at the same
    moment; their final responses."""
    start = threading.Barrier(CLIENTS)

    def one(_n):
        client = signed_in.clone() if signed_in is not None else live_client()
        page = client.get(path)
        assert page.status == 200, f"GET {path}: {page.status}"
        fields = {**page.form_fields(form_selector), **values}
        start.wait(timeout=60)
        return client.post(path, fields)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        return list(pool.map(one, range(CLIENTS), timeout=300))


def _count(statement) -> int:
    _db.session.expire_all()
    return _db.session.execute(statement).scalar_one()


def test_a_sign_in_link_pressed_in_parallel_signs_in_once(db, make, live_client):
    user = make.contact(make.company(name="ACME Tools"), email="anna@acme.example")
    raw = tokens.issue(TokenPurpose.magic_link, user=user, ttl=timedelta(minutes=15))
    db.session.commit()

    responses = _post_together(live_client, f"/login/link/{raw}", "form#confirm")

    signed_in = [r for r in responses if r.url.endswith("/dashboard")]
    refused = [r for r in responses if r.status == 410]
    assert (len(signed_in), len(refused)) == (1, CLIENTS - 1), [(r.status, r.url) for r in responses]
    assert "You are signed in." in signed_in[0].text
    assert all("This link was already used" in r.text for r in refused)


def test_an_invitation_accepted_in_parallel_is_accepted_once(db, make, live_client):
    company = make.company(name="ACME Tools")
    user = make.contact(company, email="anna@acme.example", name="Anna Smith", password=None, portal_access=False)
    link = invitations.invite(user)
    db.session.commit()
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    responses = _post_together(live_client, path, "form#accept",
                               password="mellow tractor puzzle", confirm="mellow tractor puzzle")

    accepted = [r for r in responses if r.url.endswith("/dashboard")]
    refused = [r for r in responses if r.status == 410]
    assert (len(accepted), len(refused)) == (1, CLIENTS - 1), [(r.status, r.url) for r in responses]
    assert all("This invitation was accepted already" in r.text for r in refused)
    assert _count(select(func.count(AuditLog.id)).where(AuditLog.action == "invitation.accepted")) == 1
    assert _count(select(func.count(OutboxEmail.id)).where(OutboxEmail.kind == "welcome")) == 1
    assert _db.session.get(User, user.id).portal_access is True


def test_a_colleague_invited_twice_at_once_gets_one_invitation_and_a_clear_answer(db, make, live_client):
    from portal.models import CompanyInvitation
    from tests.conftest import PASSWORD

    company = make.company(name="ACME Tools")
    admin = make.contact(company, role="Admin", email="ada@acme.example")
    browser = live_client()
    browser.sign_in(admin.email, PASSWORD)
    role_id = str(db.session.execute(select(Membership.role_id).filter_by(user_id=admin.id)).scalar_one())

    responses = _post_together(live_client, "/company/users/invite", "form#invite", signed_in=browser,
                               name="Carl Colleague", email="carl@acme.example", role=role_id)

    assert all(r.status == 200 for r in responses), [r.status for r in responses]
    invited = [r for r in responses if r.url.endswith("/company/users")]
    assert len(invited) == 1
    for other in responses:
        if other is not invited[0]:
            assert "carl@acme.example was invited to ACME Tools on" in other.text
            assert "has not accepted yet" in other.text
    assert _count(select(func.count(CompanyInvitation.id)).where(CompanyInvitation.email == "carl@acme.example")) == 1
    assert _count(select(func.count(User.id)).where(User.email == "carl@acme.example")) == 0  # until accepted
    assert _count(select(func.count(OutboxEmail.id)).where(OutboxEmail.to_address == "carl@acme.example")) == 1


def test_an_invitation_to_join_a_company_accepted_in_parallel_makes_one_account(db, make, live_client):
    from portal.models import CompanyInvitation
    from portal.services import company_invitations
    from portal.services.actor import Actor

    company = make.company(name="ACME Tools")
    admin = make.contact(company, role="Admin", email="ada@acme.example")
    company_invitations.invite_colleague(company, name="Nora New", email="nora@example.com",
                                         role_id=make.role("Buyer").id, invited_by=Actor.of(admin))
    db.session.commit()
    email = db.session.execute(select(OutboxEmail).filter_by(kind="company_invitation")).scalar_one()
    path = "/join/" + email.body_text.split("/join/", 1)[1].split()[0]

    responses = _post_together(live_client, path, "form#join", name="Nora New",
                               password="mellow tractor puzzle", confirm="mellow tractor puzzle")

    joined = [r for r in responses if r.url.endswith("/dashboard")]
    refused = [r for r in responses if r.status == 410]
    assert (len(joined), len(refused)) == (1, CLIENTS - 1), [(r.status, r.url) for r in responses]
    assert all("This invitation was accepted already" in r.text for r in refused)
    assert _count(select(func.count(User.id)).where(User.email == "nora@example.com")) == 1
    assert _count(select(func.count(Membership.id)).where(Membership.company_id == company.id)) == 2
    assert _count(select(func.count(CompanyInvitation.id)).where(CompanyInvitation.accepted_dt.is_not(None))) == 1
