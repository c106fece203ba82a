"""JSON endpoints answer every error in JSON: the tracking API over its rate limit gets a JSON 429 with
Retry-After (not the branded HTML page), and every JSON route (under /api/ or marked @json_api: the tracking
API, the Stripe webhook, the probes, the quote builder's product search) answers a wrong method, a switched-off
feature and its own refusals in JSON too. Pages keep their HTML error pages."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal import settings
from portal.json_api import API_PREFIX, MARK
from portal.models import ShipmentEvent, ShipmentStatus
from portal.services import integration_keys

TRACKING = "/api/shipments/{}/tracking-events"


@pytest.fixture
def key(db):
    raw, _ = integration_keys.issue("Carrier feed")
    db.session.commit()
    return raw


@pytest.fixture
def shipment(make):
    company = make.company(name="Alpha Trading")
    return make.shipment(company, make.order(company), status=ShipmentStatus.preparing)


def _post(client, shipment, key, **kw):
    return client.post_json(TRACKING.format(shipment.number), {"status": "in_transit"},
                            headers={"Authorization": f"Bearer {key}"}, expect_errors=True, **kw)


def _events(db) -> int:
    return db.session.execute(select(func.count()).select_from(ShipmentEvent)).scalar_one()


def test_the_tracking_api_over_its_rate_limit_answers_a_json_429_with_retry_after(
        app, testapp, db, key, shipment, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKING_API_RATE_LIMIT", "2 per minute")
    assert [_post(testapp, shipment, key).status_int for _ in range(2)] == [201, 201]
    refused = _post(testapp, shipment, key)
    assert refused.status_int == 429
    assert refused.content_type == "application/json" and "<html" not in refused.text
    assert refused.json["status"] == 429 and "Too many requests" in refused.json["error"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert _events(db) == 2  # the refused event was not recorded


def test_a_page_over_its_rate_limit_still_gets_the_html_page(app, testapp, db, make, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1 per minute")
    user = make.contact()
    for expected in (200, 429):
        form = testapp.get("/login").forms["login"]
        form["email"], form["password"] = user.email, "not the password"
        res = form.submit(status=expected)
    assert res.content_type == "text/html" and "Too many attempts" in res.text


def _json_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.rule.startswith(API_PREFIX) or getattr(app.view_functions[rule.endpoint], MARK, False)]


def test_every_json_route_answers_a_wrong_method_in_json(app, testapp, db, staff, login):
    rules = _json_rules(app)
    assert {"shipments.tracking_api", "invoices.stripe_webhook", "core.healthz", "core.readyz",
            "admin_quote.builder_products"} <= {rule.endpoint for rule in rules}
    login(testapp, staff)
    for rule in rules:
        path = rule.rule.replace("<shipment_ref>", "SH-1")
        wrong = "DELETE" if "DELETE" not in rule.methods else "PATCH"
        res = testapp.request(path, method=wrong, expect_errors=True)
        assert res.status_int == 405, rule.rule
        assert res.content_type == "application/json", rule.rule
        assert res.json["status"] == 405 and res.headers["Allow"], rule.rule


def test_a_switched_off_feature_answers_its_api_in_json(testapp, db, key, shipment):
    settings.set_feature("shipments", False)
    res = _post(testapp, shipment, key)
    assert res.status_int == 404 and res.content_type == "application/json" and res.json["status"] == 404


def test_the_apis_own_refusals_stay_json(testapp, db, shipment):
    res = testapp.post_json(TRACKING.format(shipment.number), {"status": "in_transit"}, expect_errors=True)
    assert res.status_int == 401 and res.content_type == "application/json"
    assert "Bearer" in res.json["error"]
