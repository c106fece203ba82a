"""Notification preferences come from the email kinds the core and the enabled features declare.

These tests bring a feature of their own ("bulletins") that declares two preferences; its toggle
decides whether they are offered. The built-in features' customer emails (tests/test_customer_emails.py)
are offered under their own features the same way.
"""
from __future__ import annotations

import pytest
from flask import Blueprint
from sqlalchemy import select

from portal import settings
from portal.contract import EmailKind, Feature
from portal.extensions import db as _db
from portal.models import AuditLog, OutboxEmail, User
from portal.services import accounts, mailer, preferences
from portal.services.actor import Actor
from tests.factories import Factories
from tests.fixtures_apps import sign_in


def bulletins_feature() -> Feature:
    bp = Blueprint("bulletins", __name__, template_folder="templates_bulletins")
    return Feature(
        key="bulletins", label="Bulletins", description="News from the business", blueprint=bp,
        url_prefix="/bulletins",
        emails={
            "bulletin_news": EmailKind("A news bulletin", "email/staff_notice", pref="bulletin_news",
                                       pref_label="News bulletins"),
            "bulletin_digest": EmailKind("Weekly digest", "email/staff_notice", pref="bulletin_digest"),
            "bulletin_receipt": EmailKind("Bulletin receipt (always sent)", "email/staff_notice"),
        },
    )


@pytest.fixture
def app_with_bulletins(own_app):
    return own_app(extra_features=[bulletins_feature()])


@pytest.fixture
def contact(app_with_bulletins):
    with app_with_bulletins.app_context():
        make = Factories(_db)
        user = make.contact(make.company(), role="Buyer")
        return user.id, user.email


#: what the built-in features offer with every feature on, in declared order
BUILT_IN = ["order_confirmed", "charges_proposed", "shipment_dispatched", "shipment_delivered", "invoice_issued", "payment_receipt",
            "invoice_due_soon", "invoice_overdue"]


def checkboxes(form) -> dict:
    return {box._value: box for box in form.fields["kinds"]}


def sections(res) -> dict[str, list[str]]:
    """The page's sections: feature label -> the preferences listed under it."""
    return {fieldset.legend.get_text(strip=True): [box["value"] for box in fieldset.find_all("input")]
            for fieldset in res.html.select("form#notifications fieldset")}


def tab_labels(res) -> list[str]:
    nav = res.html.find("nav", attrs={"aria-label": "Your account"})
    return [a.get_text(strip=True) for a in nav.find_all("a")]


def test_the_page_offers_exactly_the_enabled_features_preferences(app_with_bulletins, contact):
    client = sign_in(app_with_bulletins, contact[1])
    res = client.get("/account/notifications")
    boxes = checkboxes(res.forms["notifications"])
    assert list(boxes) == [*BUILT_IN, "bulletin_news", "bulletin_digest"]  # the always-sent kind is no choice
    assert sections(res)["Bulletins"] == ["bulletin_news", "bulletin_digest"]
    assert "News bulletins" in res.text and "Weekly digest" in res.text
    assert all(box.checked for box in boxes.values())
    assert "Notifications" in tab_labels(res)


def test_switching_one_off_saves_it_and_audits(app_with_bulletins, contact):
    client = sign_in(app_with_bulletins, contact[1])
    form = client.get("/account/notifications").forms["notifications"]
    checkboxes(form)["bulletin_digest"].checked = False
    res = form.submit().follow()
    assert "preferences are saved" in res.text
    boxes = checkboxes(res.forms["notifications"])
    assert boxes["bulletin_news"].checked and not boxes["bulletin_digest"].checked
    with app_with_bulletins.app_context():
        user = _db.session.get(User, contact[0])
        assert user.notification_prefs == {**dict.fromkeys(BUILT_IN, True), "bulletin_news": True,
                                           "bulletin_digest": False}
        actions = _db.session.execute(select(AuditLog.action).where(AuditLog.actor_id == user.id)).scalars()
        assert "account.notifications_updated" in list(actions)


def test_a_switched_off_preference_stops_that_email_only(app_with_bulletins, contact):
    with app_with_bulletins.test_request_context():
        user = _db.session.get(User, contact[0])
        accounts.set_notification_prefs(user, ["bulletin_news"], by=Actor.of(user))
        assert mailer.send("bulletin_digest", user, event="x", summary="y") is None
        assert mailer.send("bulletin_news", user, event="x", summary="y") is not None
        assert mailer.send("bulletin_receipt", user, event="x", summary="y") is not None
        _db.session.commit()
        kinds = sorted(_db.session.execute(select(OutboxEmail.kind)).scalars())
    assert kinds == ["bulletin_news", "bulletin_receipt"]


def test_an_undeclared_kind_of_email_is_refused(app_with_bulletins, contact):
    with app_with_bulletins.test_request_context():
        user = _db.session.get(User, contact[0])
        with pytest.raises(KeyError, match="undeclared kind of email 'bulletin_gossip'"):
            mailer.send("bulletin_gossip", user, event="x", summary="y")
        assert _db.session.execute(select(OutboxEmail)).first() is None


def test_with_the_feature_off_its_preferences_are_not_offered_and_are_kept(app_with_bulletins, contact):
    client = sign_in(app_with_bulletins, contact[1])
    form = client.get("/account/notifications").forms["notifications"]
    checkboxes(form)["bulletin_digest"].checked = False
    form.submit()
    with app_with_bulletins.app_context():
        settings.set_feature("bulletins", False)
        assert list(preferences.offered()) == BUILT_IN
    assert "Bulletins" not in sections(client.get("/account/notifications"))
    with app_with_bulletins.app_context():
        for key in ("orders", "invoices"):  # shipments need orders: off with them
            settings.set_feature(key, False)
        assert preferences.offered() == {}
    res = client.get("/account/notifications")
    assert "notifications" not in res.forms
    assert "no optional emails" in res.text
    assert "Notifications" not in tab_labels(res)
    with app_with_bulletins.app_context():
        settings.set_feature("bulletins", True)
    boxes = checkboxes(client.get("/account/notifications").forms["notifications"])
    assert list(boxes) == ["bulletin_news", "bulletin_digest"]
    assert boxes["bulletin_news"].checked and not boxes["bulletin_digest"].checked


def test_the_customer_emails_are_listed_under_their_features_and_leave_with_them(app_with_bulletins, contact):
    client = sign_in(app_with_bulletins, contact[1])
    listed = sections(client.get("/account/notifications"))
    assert listed["Orders"] == ["order_confirmed", "charges_proposed"]
    assert listed["Shipments"] == ["shipment_dispatched", "shipment_delivered"]
    assert listed["Invoices"] == ["invoice_issued", "payment_receipt", "invoice_due_soon", "invoice_overdue"]
    with app_with_bulletins.app_context():
        settings.set_feature("shipments", False)
    listed = sections(client.get("/account/notifications"))
    assert "Shipments" not in listed
    assert "shipment_delivered" not in [pref for prefs in listed.values() for pref in prefs]
    assert listed["Orders"] == ["order_confirmed", "charges_proposed"]


def test_an_unknown_preference_is_refused_and_nothing_changes(app_with_bulletins, contact):
    client = sign_in(app_with_bulletins, contact[1])
    token = client.get("/account/notifications").forms["notifications"]["csrf_token"].value
    res = client.post("/account/notifications", {"csrf_token": token, "kinds": ["bulletin_news", "spam"]})
    assert res.status_int == 200 and "'spam' is not a valid choice" in res.html.get_text()
    with app_with_bulletins.app_context():
        assert _db.session.get(User, contact[0]).notification_prefs == {}
