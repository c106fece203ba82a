"""Texts about a feature come from that feature and appear only while it is on (issue 7, item 17):
role abilities, the invitation email, notification preferences (tests/test_notification_preferences.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import settings
from portal.models import Role
from portal.services import mailer, offers, roles


def _abilities(res) -> dict[str, str]:
    box = res.html.select_one("details.role-abilities")
    return {div.dt.get_text(strip=True): div.dd.get_text(strip=True) for div in box.select("dl > div")}


def test_the_invite_form_says_what_each_role_may_do(testapp, make, login):
    login(testapp, make.contact(make.company(), role="Admin"))
    shown = _abilities(testapp.get("/company/users/invite"))
    assert "See the company's orders" in shown["Viewer"]
    assert "Invite colleagues" not in shown["Viewer"] and "Invite colleagues" in shown["Admin"]


def test_a_switched_off_feature_is_promised_by_no_role(db, testapp, make, login):
    login(testapp, make.contact(make.company(), role="Admin"))
    settings.set_feature("orders", False)  # and shipments, which needs orders
    shown = _abilities(testapp.get("/company/users/invite"))
    assert not [text for text in shown.values() if "orders" in text or "shipments" in text]
    buyer = db.session.execute(select(Role).filter_by(name="Buyer")).scalar_one()
    assert "See the company's orders" not in roles.abilities(buyer)
    settings.set_feature("orders", True)
    assert "See the company's orders" in roles.abilities(buyer)


def test_built_in_role_descriptions_promise_no_feature():
    words = ("shop", "order", "quote", "invoice", "pay", "statement", "ticket", "return")
    for name in ("Buyer", "Viewer"):
        assert not [w for w in words if w in roles.BUILTIN_ROLES[name].lower()], name


def _invitation_text(**context) -> str:
    return mailer.render("invitation", recipient_name="Ann", company_name="ACME", invited_by_name="Bo",
                         link="https://portal.example/invite/x", expires_days=14, **context)[1]


def test_the_invitation_email_offers_what_is_switched_on(db):
    text = _invitation_text()
    assert "There you can browse the catalog at your prices and order online, see the quotes we send you, " \
           "follow your orders, track your shipments, return delivered goods and see your invoices, receipts and " \
           "credit notes." in " ".join(text.split())
    settings.set_feature("shop", False)
    assert "order online" not in _invitation_text()
    settings.set_feature("orders", False)
    settings.set_feature("quotations", False)
    text = " ".join(_invitation_text().split())
    assert "There you can see your invoices, receipts and credit notes." in text
    assert "orders" not in text and "quotes" not in text and "shipments" not in text


def test_with_every_feature_off_the_invitation_promises_nothing(db):
    for key in ("quotations", "orders", "shipments", "invoices", "supplier"):
        settings.set_feature(key, False)
    assert f"There you can {offers.FALLBACK}." in " ".join(_invitation_text().split())


@pytest.mark.parametrize("kind, context", [
    ("invitation", {"link": "https://portal.example/i/x", "expires_days": 14}),
    ("access_granted", {"sign_in_link_url": "https://portal.example/l", "login_url": "https://portal.example/login",
                        "has_password": False}),
    ("company_invitation", {"role_name": "Buyer", "link": "https://portal.example/j/x", "expires_days": 14}),
])
def test_no_email_to_a_contact_promises_a_switched_off_feature(db, kind, context):
    settings.set_feature("orders", False)
    settings.set_feature("quotations", False)
    text = " ".join(mailer.render(kind, recipient_name="Ann", company_name="ACME", invited_by_name="Bo",
                                  **context)[1].split())
    promise = text[text.index("There you can"):].split(".")[0]
    assert promise == "There you can see your invoices, receipts and credit notes"


def test_a_suppliers_invitation_offers_the_supplier_pages(db, make):
    supplier = make.supplier(name="Baltic Bolts")
    assert offers.for_company(supplier) == "see our purchase orders and the state of your bills"
