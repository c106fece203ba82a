"""The guest catalog: its toggle is guest access; visitors browse at the guest tier and are asked to sign in."""
from __future__ import annotations

import pytest

from portal import settings
from portal.models import ProductVisibility


@pytest.fixture
def catalog(make):
    standard = make.tier("STD", "Standard", is_default=True)
    guest = make.tier("GUEST", "Guest")
    tools = make.category("Tools")
    drill = make.product(name="Cordless drill", category=tools, price="100.00", tier=standard)
    make.product_price(drill, guest, "115.00")
    return {
        "drill": drill,
        "members_only": make.product(name="Members-only saw", category=tools, guest_visible=False),
        "restricted": make.product(name="Private label anchor", category=tools,
                                   visibility=ProductVisibility.restricted),
        "hidden": make.product(name="Discontinued rivet", category=tools, visibility=ProductVisibility.hidden),
    }


def open_catalog(tier: str = "GUEST") -> None:
    settings.save({"features.guest_catalog": True, "guest_catalog.price_tier": tier})


def test_off_by_default_visitors_are_asked_to_sign_in(testapp, catalog):
    assert not settings.is_enabled("guest_catalog")
    assert "/login" in testapp.get("/shop/").location
    assert "/login" in testapp.get("/").location
    testapp.get("/catalog/access", status=404)


def test_visitors_browse_at_the_guest_tier_with_a_call_to_sign_in(testapp, catalog):
    open_catalog()
    res = testapp.get("/").follow()
    assert res.request.path == "/shop/"
    assert [a.text for a in res.html.select(".product-name a")] == ["Cordless drill"]
    assert "€115.00" in res.html.select_one(".product-price").text
    cta = res.html.select_one(".guest-cta")
    assert [a.text for a in cta.select("a")] == ["Sign in", "Request access"]
    assert "/login?next=" in cta.select_one("a")["href"]
    assert testapp.get(cta.select("a")[1]["href"]).status_int == 200
    page = testapp.get(f"/shop/product/{catalog['drill'].id}")
    assert "€115.00" in page.text and "€100.00" not in page.text
    assert "add-to-cart" not in page.forms and page.html.select_one(".guest-cta") is not None


def test_visitors_never_see_hidden_restricted_or_members_only_products(testapp, catalog):
    open_catalog()
    listing = testapp.get("/shop/").text
    for key in ("members_only", "restricted", "hidden"):
        product = catalog[key]
        assert product.name not in listing
        assert product.name not in testapp.get(f"/shop/?q={product.sku}").text
        testapp.get(f"/shop/product/{product.id}", status=404)


def test_without_a_guest_tier_visitors_see_no_prices(testapp, catalog):
    open_catalog(tier="")
    for url in ("/shop/", f"/shop/product/{catalog['drill'].id}"):
        res = testapp.get(url)
        assert "Sign in for prices" in res.html.select_one(".product-price").text
        assert "€" not in res.html.select_one(".product-price").text
    assert "Price, lowest first" not in testapp.get("/shop/").text


def test_hidden_prices_stay_hidden_for_visitors(testapp, catalog):
    open_catalog()
    settings.save({"prices.hide": True, "prices.hidden_as": "on_request"})
    res = testapp.get("/shop/")
    assert "115.00" not in res.text and "Price on request" in res.html.select_one(".product-price").text


def test_signed_in_customers_keep_their_own_prices(testapp, login, make, catalog):
    open_catalog()
    login(testapp, make.contact(make.company(), role="Buyer"))
    res = testapp.get("/shop/")
    assert "€100.00" in res.text and res.html.select_one(".guest-cta") is None
    assert testapp.get("/").location.endswith("/dashboard")


def test_staff_switch_it_live_from_the_features_screen(testapp, login, make, catalog):
    login(testapp, make.staff())
    form = testapp.get("/admin/settings/").forms["settings"]
    assert not form["features.guest_catalog"].checked
    form["features.guest_catalog"] = True
    form["guest_catalog.price_tier"] = "GUEST"
    assert "Settings saved." in form.submit().follow().text
    visitor = type(testapp)(testapp.app)
    assert "€115.00" in visitor.get("/shop/").text
    form = testapp.get("/admin/settings/").forms["settings"]
    form["features.guest_catalog"] = False
    form.submit()
    assert "/login" in visitor.get("/shop/").location


def test_switching_the_shop_off_closes_the_guest_catalog(testapp, catalog):
    open_catalog()
    settings.set_feature("shop", False)
    assert not settings.is_enabled("guest_catalog")
    testapp.get("/shop/", status=404)
