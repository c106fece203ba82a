"""The catalog as customers see it, through HTTP: categories, visibility, stock, prices, filters, paging."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from portal import settings
from portal.extensions import db as _db
from portal.models import ContractPrice, PriceBreak, Product, ProductVisibility, Promotion, StockLevel
from portal.services import clock
from tests.factories import Factories
from tests.fixtures_apps import sign_in


@pytest.fixture
def shop(make):
    """Nested categories (Fasteners > Screws, Bolts; Tools), a customer Buyer, a few products."""
    tier = make.tier("STD", "Standard", is_default=True)
    fasteners = make.category("Fasteners")
    screws, bolts, tools = make.category("Screws"), make.category("Bolts"), make.category("Tools")
    screws.parent, bolts.parent = fasteners, fasteners
    make.db.session.commit()
    company = make.company(name="Acme Hardware")
    products = {
        "wood": make.product(name="Wood screw 4x40", sku="SCR-1001", category=screws, price="12.50",
                             description="Zinc plated, countersunk head"),
        "hex": make.product(name="Hex bolt M8", sku="BLT-2001", category=bolts, price="0.40"),
        "drill": make.product(name="Cordless drill", sku="TLS-3001", category=tools, price="149.00"),
        "hidden": make.product(name="Discontinued rivet", sku="OLD-1", category=screws,
                               visibility=ProductVisibility.hidden),
        "secret": make.product(name="Private label anchor", sku="PRV-1", category=bolts,
                               visibility=ProductVisibility.restricted),
    }
    return {"tier": tier, "company": company, "categories": (fasteners, screws, bolts, tools), **products}


@pytest.fixture
def buyer(testapp, login, make, shop):
    login(testapp, make.contact(shop["company"], role="Buyer"))
    return testapp


def names_on(res) -> list[str]:
    return [a.text.strip() for a in res.html.select(".product-name a")]


def category_counts(res) -> dict[str, str]:
    return {a.contents[0].strip(): a.select_one(".count").text for a in res.html.select(".category-list a")}


def test_categories_are_nested_and_count_only_what_the_customer_may_see(buyer, shop):
    res = buyer.get("/shop/")
    assert category_counts(res) == {"Fasteners": "(2)", "Tools": "(1)"}  # the top, closed
    assert sorted(names_on(res)) == ["Cordless drill", "Hex bolt M8", "Wood screw 4x40"]
    res = res.click("Fasteners")  # opens the way to the chosen category
    assert category_counts(res) == {"Fasteners": "(2)", "Screws": "(1)", "Bolts": "(1)", "Tools": "(1)"}
    assert res.html.select_one(".category-list.level-1 .category-list.level-2") is not None


def test_a_category_lists_its_subcategories_products(buyer, shop):
    fasteners, screws, _, _ = shop["categories"]
    assert sorted(names_on(buyer.get(f"/shop/?category={fasteners.id}"))) == ["Hex bolt M8", "Wood screw 4x40"]
    assert names_on(buyer.get(f"/shop/?category={screws.id}")) == ["Wood screw 4x40"]
    buyer.get("/shop/?category=999999", status=404)


def test_a_product_the_customer_may_not_see_is_404_everywhere(buyer, shop, make):
    for key in ("hidden", "secret"):
        product = shop[key]
        buyer.get(f"/shop/product/{product.id}", status=404)
        assert product.name not in buyer.get(f"/shop/?q={product.sku}").text
        assert product.name not in buyer.get("/shop/").text
    # listed for the company: now it is there, counted and found
    secret = shop["secret"]
    secret.visible_to_companies.append(shop["company"])
    make.db.session.commit()
    assert buyer.get(f"/shop/product/{secret.id}").status_int == 200
    assert names_on(buyer.get("/shop/?q=anchor")) == ["Private label anchor"]
    assert category_counts(buyer.get(f"/shop/?category={shop['categories'][2].id}"))["Bolts"] == "(2)"


def test_the_product_page_shows_what_a_buyer_needs(buyer, shop, make):
    hex_bolt = shop["hex"]
    hex_bolt.pack_size, hex_bolt.min_order_qty, hex_bolt.order_increment = Decimal(100), Decimal(200), Decimal(100)
    hex_bolt.description = "Steel 8.8, DIN 933"
    make.db.session.commit()
    res = buyer.get(f"/shop/product/{hex_bolt.id}")
    meta = {dt.text: dd.text for dt, dd in zip(res.html.select(".meta dt"), res.html.select(".meta dd"), strict=True)}
    assert meta == {"Unit": "pcs", "Pack size": "100 pcs", "Minimum quantity": "200", "Order in steps of": "100"}
    assert "Steel 8.8, DIN 933" in res.text
    assert [a.text for a in res.html.select(".breadcrumb a")] == ["Catalog", "Fasteners", "Bolts"]
    assert "€0.40" in res.html.select_one(".product-price").text


def test_customer_prices_breaks_and_savings(buyer, shop, make):
    drill, company = shop["drill"], shop["company"]
    make.db.session.add_all([
        PriceBreak(product_id=drill.id, tier_id=shop["tier"].id, min_qty=Decimal(5), price=Decimal("139.00")),
        PriceBreak(product_id=drill.id, tier_id=None, min_qty=Decimal(10), price=Decimal("129.00")),
        Promotion(name="Spring deal", product_id=drill.id, discount_percent=Decimal(10)),
    ])
    make.db.session.commit()
    res = buyer.get(f"/shop/product/{drill.id}")
    price = res.html.select_one(".product-price").text
    assert "€134.10" in price and "List €149.00" in price and "you save €14.90" in price
    assert "Spring deal" in res.text
    rows = [[td.text.strip() for td in tr.select("td")] for tr in res.html.select(".price-breaks tbody tr")]
    assert rows == [["5 pcs", "€125.10", "€23.90"], ["10 pcs", "€116.10", "€32.90"]]
    # a contract price is this customer's own
    make.db.session.add(ContractPrice(company_id=company.id, product_id=drill.id, price=Decimal("99.00"),
                                      valid_from=clock.today() - timedelta(days=1)))
    make.db.session.commit()
    assert "€99.00" in buyer.get(f"/shop/product/{drill.id}").html.select_one(".product-price").text
    assert "€99.00" in buyer.get("/shop/?q=drill").html.select_one(".product-price").text


@pytest.mark.parametrize("hidden_as, shown", [("zero", "€0.00"), ("on_request", "Price on request")])
def test_hidden_prices_show_as_the_setting_says_on_every_catalog_page(buyer, shop, make, hidden_as, shown):
    drill = shop["drill"]
    make.db.session.add(PriceBreak(product_id=drill.id, tier_id=None, min_qty=Decimal(5), price=Decimal("139.00")))
    make.db.session.commit()
    settings.save({"prices.hide": True, "prices.hidden_as": hidden_as})
    for url in ("/shop/", "/shop/?q=drill", f"/shop/product/{drill.id}"):
        res = buyer.get(url)
        assert "149.00" not in res.text and "139.00" not in res.text, url
        assert shown in res.html.select_one(".product-price").text, url
    res = buyer.get(f"/shop/product/{drill.id}")
    assert res.html.select_one(".price-breaks") is None
    assert "Price, lowest first" not in buyer.get("/shop/").text  # the order would give prices away


def _stock(make, product, on_hand="0", reserved="0", incoming="0", days=None):
    product.stock.on_hand, product.stock.reserved = Decimal(on_hand), Decimal(reserved)
    product.stock.incoming = Decimal(incoming)
    product.stock.incoming_date = clock.today() + timedelta(days=days) if days is not None else None
    make.db.session.commit()


def stock_text(client, product) -> str:
    note = client.get(f"/shop/product/{product.id}").html.select_one(".product-stock")
    return " ".join(note.text.split())


def test_stock_display_off_number_and_indication(buyer, shop, make):
    drill = shop["drill"]
    _stock(make, drill, on_hand="45", reserved="5", incoming="20", days=3)
    due = (clock.today() + timedelta(days=3)).strftime("%-d %b %Y")

    settings.save({"stock.display": "off"})
    assert stock_text(buyer, drill) == ""

    settings.save({"stock.display": "number", "stock.show_incoming": False})
    assert stock_text(buyer, drill) == "40 in stock"
    settings.save({"stock.show_incoming": True})
    assert stock_text(buyer, drill) == f"40 in stock, 20 incoming (expected {due})"
    _stock(make, drill, incoming="20", days=3)
    assert stock_text(buyer, drill) == f"20 incoming (expected {due})"
    _stock(make, drill)  # neither in stock nor incoming: nothing at all
    assert stock_text(buyer, drill) == ""

    settings.save({"stock.display": "indication"})
    assert stock_text(buyer, drill) == "Out of stock"
    _stock(make, drill, incoming="20", days=3)
    assert stock_text(buyer, drill) == f"Incoming (expected {due})"
    settings.save({"stock.show_incoming": False})
    assert stock_text(buyer, drill) == "Out of stock"
    _stock(make, drill, on_hand="3")
    assert stock_text(buyer, drill) == "In stock"
    assert "In stock" in buyer.get("/shop/?q=drill").html.select_one(".product-stock").text


def test_in_stock_filter_and_sorting(buyer, shop, make):
    _stock(make, shop["hex"], on_hand="10", reserved="10")  # all reserved: not available
    assert sorted(names_on(buyer.get("/shop/?in_stock=1"))) == ["Cordless drill", "Wood screw 4x40"]
    assert names_on(buyer.get("/shop/?sort=name")) == ["Cordless drill", "Hex bolt M8", "Wood screw 4x40"]
    assert names_on(buyer.get("/shop/?sort=price")) == ["Hex bolt M8", "Wood screw 4x40", "Cordless drill"]
    newest = make.product(name="Angle grinder", category=shop["categories"][3])
    assert names_on(buyer.get("/shop/?sort=newest"))[0] == newest.name
    assert names_on(buyer.get("/shop/?sort=nonsense")) == sorted(names_on(buyer.get("/shop/")))


def test_paging_keeps_the_filters(buyer, shop, make):
    tools = shop["categories"][3]
    for n in range(30):
        make.product(name=f"Chisel {n:02d}", category=tools)
    res = buyer.get(f"/shop/?category={tools.id}&q=chisel")
    assert len(names_on(res)) == 24 and "31 products" not in res.text and "30 products" in res.text
    assert "Page 1 of 2" in res.text
    res = res.click("Next →")
    assert names_on(res) == [f"Chisel {n}" for n in range(24, 30)]
    assert f"category={tools.id}" in res.request.url and "q=chisel" in res.request.url
    assert len(names_on(buyer.get("/shop/?per_page=48"))) == 33
    assert "There is no page 9" in buyer.get("/shop/?page=9").text


def test_the_cart_form_shows_only_where_the_user_may_order(own_app):
    """Viewer and Finance browse (shop.browse) without a cart form; a Buyer gets it while the cart leads
    somewhere: an order, or a quote request."""
    app = own_app()
    with app.app_context():
        make = Factories(_db)
        make.tier("STD", "Standard", is_default=True)
        product_id = make.product(name="Cordless drill").id
        company = make.company()
        emails = {role: make.contact(company, role=role).email for role in ("Buyer", "Viewer", "Finance")}
    url = f"/shop/product/{product_id}"
    for role, email in emails.items():
        page = sign_in(app, email).get(url)
        assert ("add-to-cart" in page.forms) == (role == "Buyer"), role
    with app.app_context():
        settings.save({"ordering.allow_orders": False})
    assert "add-to-cart" in sign_in(app, emails["Buyer"]).get(url).forms  # for a quote request
    with app.app_context():
        settings.save({"ordering.allow_quote_requests": False})
    assert "add-to-cart" not in sign_in(app, emails["Buyer"]).get(url).forms


def test_the_product_page_puts_the_chosen_quantity_in_the_cart(buyer, shop):
    page = buyer.get(f"/shop/product/{shop['drill'].id}")
    form = page.forms["add-to-cart"]
    form["quantity"] = "3"
    form.submit().follow()
    cart = buyer.get("/shop/cart")
    assert "Cordless drill" in cart.text
    assert cart.forms[next(k for k in cart.forms if "quantity" in cart.forms[k].fields)]["quantity"].value == "3"


def test_a_signed_out_visitor_is_asked_to_sign_in_while_the_guest_catalog_is_off(testapp, shop):
    res = testapp.get("/shop/")
    assert res.status_int == 302 and "/login" in res.location
    assert "/login" in testapp.get(f"/shop/product/{shop['drill'].id}").location


def test_descriptions_are_searched_and_a_product_edit_is_found_at_once(buyer, shop, make):
    assert names_on(buyer.get("/shop/?q=countersunk")) == ["Wood screw 4x40"]
    assert names_on(buyer.get("/shop/?q=BLT-2001")) == ["Hex bolt M8"]
    hex_bolt = make.db.session.get(Product, shop["hex"].id)
    hex_bolt.name = "Carriage bolt M8"
    make.db.session.commit()
    assert names_on(buyer.get("/shop/?q=carriage")) == ["Carriage bolt M8"]
    assert names_on(buyer.get("/shop/?q=hex")) == []
    make.db.session.delete(hex_bolt)
    make.db.session.commit()
    assert names_on(buyer.get("/shop/?q=carriage")) == []


def test_stock_levels_without_a_row_show_out_of_stock(buyer, shop, make):
    drill = make.db.session.get(Product, shop["drill"].id)
    make.db.session.delete(make.db.session.get(StockLevel, drill.stock.id))
    make.db.session.commit()
    assert stock_text(buyer, drill) == "Out of stock"


def test_a_typo_still_finds_the_product_and_says_what_was_searched(buyer, shop):
    res = buyer.get("/shop/?q=scerw")
    assert names_on(res) == ["Wood screw 4x40"]
    assert "showing results for “screw”" in res.text
    assert names_on(buyer.get("/shop/?q=wod+scre")) == ["Wood screw 4x40"]
    assert names_on(buyer.get("/shop/?q=xylophone")) == []


def test_the_total_counts_products_in_no_category_too(buyer, shop, make):
    make.product(name="Gift card")
    res = buyer.get("/shop/")
    assert "4 products" in res.text and "Gift card" in names_on(res)
    assert "1 product for “gift”" in buyer.get("/shop/?q=gift").text


def test_a_search_typed_on_the_list_is_ranked_by_match(buyer, shop, make):
    make.product(name="Anchor plug", category=shop["categories"][2], description="Holds any wood screw")
    form = next(f for f in buyer.get("/shop/").forms.values() if "q" in f.fields)
    assert form["sort"].value == "relevance"
    form["q"] = "screw"
    assert names_on(form.submit()) == ["Wood screw 4x40", "Anchor plug"]  # the name match first
    assert names_on(buyer.get("/shop/?q=screw&sort=name")) == ["Anchor plug", "Wood screw 4x40"]
