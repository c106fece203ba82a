"""Shipment tracking from integrations and staff: the tracking API (per-integration keys, hashed at rest),
its refusals, replayed events recorded once, the shipment following its latest event, the key screen and the
tracking events staff add in the back office; customers read the statuses in words."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.models import IntegrationKey, OutboxEmail, Shipment, ShipmentEvent, ShipmentStatus
from portal.services import integration_keys
from tests.fixtures_admin import add_inline, model_form, submit_edit


@pytest.fixture
def key(db):
    raw, _ = integration_keys.issue("DHL tracking feed")
    db.session.commit()
    return raw


@pytest.fixture
def shipment(make):
    company = make.company(name="Alpha Trading")
    return make.shipment(company, make.order(company), status=ShipmentStatus.preparing)


def post(client, shipment_ref, payload, key=None, **kw):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.post_json(f"/api/shipments/{shipment_ref}/tracking-events", payload, headers=headers,
                            expect_errors=True, **kw)


def _stored(db, shipment) -> Shipment:
    db.session.expire_all()
    return db.session.get(Shipment, shipment.id)


def _stored_key(db) -> IntegrationKey:
    db.session.expire_all()
    return db.session.execute(select(IntegrationKey)).scalar_one()


def _events(db) -> int:
    return db.session.execute(select(func.count()).select_from(ShipmentEvent)).scalar_one()


def ago(hours: int) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat()


def test_an_integration_posts_events_and_the_shipment_follows_the_latest(testapp, db, key, shipment, make, login):
    res = post(testapp, shipment.number, {"status": "in_transit", "occurred_at": ago(5), "location": "Venlo"}, key)
    assert res.status_int == 201 and res.json["shipment"]["status"] == "in_transit"
    stored = _stored(db, shipment)
    assert stored.status == ShipmentStatus.in_transit and stored.shipped_dt is not None

    delivered_at = datetime.now(UTC) - timedelta(hours=1)
    res = post(testapp, str(shipment.id), {"status": "delivered", "occurred_at": delivered_at.isoformat(),
                                           "note": "Signed by J. Smit"}, key)
    assert res.status_int == 201
    # a late event from before the delivery does not move the shipment back
    assert post(testapp, shipment.number, {"status": "shipped", "occurred_at": ago(9)}, key).status_int == 201
    stored = _stored(db, shipment)
    assert stored.status == ShipmentStatus.delivered
    assert stored.delivered_dt.replace(tzinfo=UTC) == delivered_at.replace(microsecond=delivered_at.microsecond)
    [row] = db.session.execute(select(IntegrationKey)).scalars()
    assert row.last_used_dt is not None
    assert {e.integration_key_id for e in stored.events} == {row.id}

    login(testapp, make.contact(stored.company, role="Viewer"))
    page = testapp.get(f"/shipments/{shipment.id}")
    steps = [li.select_one("strong").get_text() for li in page.html.select(".timeline li")]
    assert steps == ["Delivered", "In transit", "Shipped"] and "in_transit" not in page.text
    assert "Signed by J. Smit" in page.text


def test_the_same_event_posted_twice_is_recorded_once(testapp, db, key, shipment):
    payload = {"status": "in_transit", "occurred_at": ago(2), "external_id": "evt-778"}
    assert post(testapp, shipment.number, payload, key).status_int == 201
    again = post(testapp, shipment.number, payload, key)
    assert again.status_int == 200 and again.json["created"] is False
    assert _events(db) == 1


def test_no_live_key_is_401_and_records_nothing(testapp, db, key, shipment):
    revoked_raw, revoked = integration_keys.issue("Old feed")
    integration_keys.revoke(revoked)
    db.session.commit()
    wrong_secret = key[:integration_keys.PREFIX_LENGTH] + "_" + "x" * 43
    for header in (None, "Bearer", "Bearer nonsense", f"Bearer {wrong_secret}", f"Basic {key}",
                   f"Bearer {revoked_raw}"):
        headers = {"Authorization": header} if header else {}
        res = testapp.post_json(f"/api/shipments/{shipment.number}/tracking-events", {"status": "delivered"},
                                headers=headers, expect_errors=True)
        assert res.status_int == 401 and "error" in res.json, header
    assert _events(db) == 0 and _stored(db, shipment).status == ShipmentStatus.preparing


@pytest.mark.parametrize("payload, field", [
    ({"status": "teleported"}, "status"),
    ({}, "status"),
    ({"status": "delivered", "occurred_at": "yesterday"}, "occurred_at"),
    ({"status": "delivered", "occurred_at": "2026-04-02T14:30:00"}, "occurred_at"),
    ({"status": "delivered", "occurred_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()}, "occurred_at"),
    ({"status": "delivered", "location": "x" * 121}, "location"),
    ({"status": "delivered", "note": 42}, "note"),
    (["delivered"], None),
])
def test_a_bad_payload_is_400_with_a_clear_error_and_changes_nothing(testapp, db, key, shipment, payload, field):
    res = post(testapp, shipment.number, payload, key)
    assert res.status_int == 400 and res.json["field"] == field and res.json["error"]
    assert _events(db) == 0 and _stored(db, shipment).status == ShipmentStatus.preparing


def test_a_body_that_is_not_json_is_400_and_an_unknown_shipment_404(testapp, db, key, shipment):
    res = testapp.post(f"/api/shipments/{shipment.number}/tracking-events", "status=delivered",
                       headers={"Authorization": f"Bearer {key}"}, expect_errors=True)
    assert res.status_int == 400 and "JSON object" in res.json["error"]
    assert post(testapp, "SH-0000-9999", {"status": "delivered"}, key).status_int == 404
    assert _events(db) == 0


def test_the_key_is_stored_hashed(db, key):
    row = db.session.execute(select(IntegrationKey)).scalar_one()
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest() and key.startswith(row.prefix)
    stored = db.session.execute(select(IntegrationKey.__table__)).one()
    assert not any(isinstance(value, str) and key in value for value in stored)
    assert integration_keys.authenticate(key) == row and integration_keys.authenticate(key + "x") is None


def test_staff_make_a_key_see_it_once_and_revoke_it(admin, db, shipment):
    form = next(f for f in admin.get("/admin/integration-key/new/").forms.values() if "name" in f.fields)
    form["name"] = "Warehouse system"
    page = form.submit()
    assert page.status_int == 200 and page.headers["Cache-Control"] == "no-store"
    raw = page.html.select_one("#integration-key")["value"]
    assert raw.startswith(integration_keys.TAG) and raw not in str(page.headers)  # not in a session cookie
    assert raw not in admin.get("/admin/integration-key/").text  # never shown again
    assert post(admin, shipment.number, {"status": "shipped"}, raw).status_int == 201

    row = db.session.execute(select(IntegrationKey)).scalar_one()
    listing = admin.get("/admin/integration-key/")
    action = next(f for f in listing.forms.values() if f.action.endswith("/action/"))
    admin.post(action.action, {"action": "revoke", "rowid": str(row.id),
                               "csrf_token": action["csrf_token"].value}).follow()
    assert _stored_key(db).revoked_dt is not None
    assert post(admin, shipment.number, {"status": "delivered"}, raw).status_int == 401
    assert _stored(db, shipment).status == ShipmentStatus.shipped


def test_staff_add_a_tracking_event_on_the_shipment_screen(admin, db, shipment, make):
    typed = make.shipment_event(shipment, "Arrived at DHL hub", occurred_dt=datetime.now(UTC) - timedelta(hours=3))
    form = model_form(admin.get(f"/admin/shipment/edit/?id={shipment.id}"))
    add_inline(form, "events", 1, occurred_dt=(datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
               status="delivered", location="Utrecht", description="Left with reception")
    assert form.submit().status_int == 302
    stored = _stored(db, shipment)
    assert stored.status == ShipmentStatus.delivered and stored.delivered_dt is not None
    assert sorted(e.status for e in stored.events) == ["Arrived at DHL hub", "delivered"]
    # saving again keeps what staff once typed, and an unknown status cannot be entered
    assert submit_edit(admin, "shipment", shipment.id).status_int == 302
    assert db.session.get(ShipmentEvent, typed.id).status == "Arrived at DHL hub"
    form = model_form(admin.get(f"/admin/shipment/edit/?id={shipment.id}"))
    add_inline(form, "events", 2, occurred_dt="2026-01-01 10:00:00", status="teleported")
    assert "Choose a status." in form.submit().text


def test_a_carriers_dispatch_and_delivery_events_email_the_customer_once_each(testapp, db, key, shipment, make):
    make.contact(shipment.company, role="Viewer", email="viewer@alpha.example")

    def sent(kind):
        db.session.expire_all()
        return list(db.session.execute(select(OutboxEmail.to_address).filter_by(kind=kind)).scalars())

    assert post(testapp, shipment.number, {"status": "shipped", "occurred_at": ago(6)}, key).status_int == 201
    assert post(testapp, shipment.number, {"status": "in_transit", "occurred_at": ago(4)}, key).status_int == 201
    assert sent("shipment_dispatched") == ["viewer@alpha.example"] and sent("shipment_delivered") == []
    for _ in range(2):  # the carrier repeats itself
        post(testapp, shipment.number, {"status": "delivered", "occurred_at": ago(1)}, key)
    assert sent("shipment_delivered") == ["viewer@alpha.example"]
    assert sent("shipment_dispatched") == ["viewer@alpha.example"]
