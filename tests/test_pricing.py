"""The pricing service: its precedence table-driven, its promises as properties, its loader in bulk."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.models import ContractPrice, PriceBreak, Promotion
from portal.services.pricing import PriceInputs, buyer_for, guest_buyer, load_price_book, price_for

D = Decimal
TODAY = date(2026, 6, 15)


# --- precedence ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("inputs", "quantity", "unit", "source"), [
    # 1. the list price
    (PriceInputs(D("10.00")), 1, "10.00", "list"),
    # quantity breaks from their quantity on, the best one reached
    (PriceInputs(D("10.00"), breaks=((D(10), D("9.00")), (D(50), D("8.00")))), 9, "10.00", "list"),
    (PriceInputs(D("10.00"), breaks=((D(10), D("9.00")), (D(50), D("8.00")))), 10, "9.00", "break"),
    (PriceInputs(D("10.00"), breaks=((D(10), D("9.00")), (D(50), D("8.00")))), 75, "8.00", "break"),
    # a "break" dearer than the list price is ignored
    (PriceInputs(D("10.00"), breaks=((D(10), D("11.00")),)), 20, "10.00", "list"),
    # 2. promotion off the list price at the quantity
    (PriceInputs(D("10.00"), promotion=(D(20), "Spring")), 1, "8.00", "promotion"),
    (PriceInputs(D("10.00"), breaks=((D(10), D("9.00")),), promotion=(D(10), "Spring")), 10, "8.10", "promotion"),
    # 3. contract: the lower of contract and promoted list price
    (PriceInputs(D("10.00"), contract_price=D("7.50")), 1, "7.50", "contract"),
    (PriceInputs(D("10.00"), contract_price=D("7.50"), promotion=(D(30), "Sale")), 1, "7.00", "promotion"),
    (PriceInputs(D("10.00"), contract_price=D("12.00")), 1, "10.00", "list"),  # never dearer
    (PriceInputs(D("10.00"), breaks=((D(100), D("6.00")),), contract_price=D("7.00")), 100, "6.00", "break"),
    # 4. discounts stack, after everything else: 10% then 5% = 14.5% off
    (PriceInputs(D("10.00"), discounts=(D(10), D(5))), 1, "8.55", "list"),
    (PriceInputs(D("10.00"), contract_price=D("8.00"), discounts=(D(10),)), 1, "7.20", "contract"),
    # 5. rounded half-up to cents once, at the end
    (PriceInputs(D("0.333"), discounts=(D(10),)), 1, "0.30", "list"),
    (PriceInputs(D("1.005")), 1, "1.01", "list"),
    # a 100% promotion or discount gives it away, never below zero
    (PriceInputs(D("10.00"), promotion=(D(100), "Free")), 1, "0.00", "promotion"),
])
def test_precedence(inputs, quantity, unit, source):
    price = price_for(inputs, D(quantity))
    assert (price.unit, price.source) == (D(unit), source)


def test_no_list_price_means_no_price():
    assert price_for(PriceInputs(None, contract_price=D("5.00"))) is None


def test_saving_and_line_total():
    price = price_for(PriceInputs(D("10.00"), promotion=(D(15), "Summer")), D(3))
    assert price.saving == D("1.50") and price.promotion_name == "Summer"
    assert price.line_total(D(3)) == D("25.50")
    assert price_for(PriceInputs(D("10.00"))).saving == 0


# --- promises, for any inputs ----------------------------------------------------------------------------

money = st.decimals(min_value=D("0.01"), max_value=D("10000"), places=2)
percent = st.decimals(min_value=D(0), max_value=D(100), places=2)
quantity = st.integers(min_value=1, max_value=10_000).map(D)


@st.composite
def price_inputs(draw):
    list_price = draw(money)
    breaks = draw(st.lists(st.tuples(st.integers(2, 1000).map(D), money), max_size=4))
    promotion = draw(st.one_of(st.none(), st.tuples(percent, st.just("Promo"))))
    contract = draw(st.one_of(st.none(), money))
    discounts = tuple(draw(st.lists(percent, max_size=2)))
    return PriceInputs(list_price, breaks=tuple(sorted(breaks)), promotion=promotion, contract_price=contract,
                       discounts=discounts)


@given(price_inputs(), quantity)
def test_never_more_than_the_list_price_nor_below_zero(inputs, qty):
    price = price_for(inputs, qty)
    assert D(0) <= price.unit <= inputs.list_price.quantize(D("0.01")) + D("0.005")
    assert price.unit == price.unit.quantize(D("0.01"))


@given(price_inputs(), quantity, quantity)
def test_buying_more_never_raises_the_unit_price(inputs, a, b):
    low, high = sorted((a, b))
    assert price_for(inputs, high).unit <= price_for(inputs, low).unit


@given(price_inputs(), quantity, percent)
def test_a_discount_never_raises_the_price(inputs, qty, extra):
    more = PriceInputs(inputs.list_price, breaks=inputs.breaks, promotion=inputs.promotion,
                       contract_price=inputs.contract_price, discounts=(*inputs.discounts, extra))
    assert price_for(more, qty).unit <= price_for(inputs, qty).unit


@given(price_inputs(), quantity, money)
def test_a_contract_never_makes_it_dearer(inputs, qty, contract):
    without = PriceInputs(inputs.list_price, breaks=inputs.breaks, promotion=inputs.promotion,
                          discounts=inputs.discounts)
    with_contract = PriceInputs(inputs.list_price, breaks=inputs.breaks, promotion=inputs.promotion,
                                contract_price=contract, discounts=inputs.discounts)
    assert price_for(with_contract, qty).unit <= price_for(without, qty).unit


# --- the price book: from the database, in bulk -----------------------------------------------------------

@pytest.fixture
def catalog(db, make):
    standard = make.tier("STD", "Standard", is_default=True)
    trade = make.tier("TRADE", "Trade")
    tools = make.category("Tools")
    drills = make.category("Drills")
    drills.parent = tools
    drill = make.product(price="100.00", tier=standard, category=drills)
    make.product_price(drill, trade, "90.00")
    saw = make.product(price="50.00", tier=standard, category=tools)
    unpriced = make.product(price="1.00", tier=make.tier("OTHER", "Other"))
    db.session.commit()
    return {"standard": standard, "trade": trade, "tools": tools, "drills": drills, "drill": drill, "saw": saw,
            "unpriced": unpriced}


def _book(company, products, blanket=None, today=TODAY):
    return load_price_book(buyer_for(company, blanket or D(0)), [(p.id, p.category_id) for p in products], today)


def test_the_companys_tier_else_the_default_tier(make, catalog):
    trade_customer = make.company(price_tier_id=catalog["trade"].id)
    plain_customer = make.company()
    drill, saw = catalog["drill"], catalog["saw"]
    assert _book(trade_customer, [drill, saw]).price(drill.id).unit == D("90.00")
    assert _book(trade_customer, [drill, saw]).price(saw.id).unit == D("50.00")  # no trade price: default tier
    assert _book(plain_customer, [drill]).price(drill.id).unit == D("100.00")
    assert _book(plain_customer, [catalog["unpriced"]]).price(catalog["unpriced"].id) is None


def test_breaks_contracts_promotions_and_discounts_from_the_database(db, make, catalog):
    company = make.company(price_tier_id=catalog["trade"].id, discount_percent=D("5.00"))
    drill, saw = catalog["drill"], catalog["saw"]
    db.session.add_all([
        PriceBreak(product_id=drill.id, tier_id=None, min_qty=D(10), price=D("85.00")),
        PriceBreak(product_id=drill.id, tier_id=catalog["trade"].id, min_qty=D(10), price=D("80.00")),
        ContractPrice(company_id=company.id, product_id=saw.id, price=D("40.00")),
        ContractPrice(company_id=company.id, product_id=drill.id, price=D("1.00"),
                      valid_until=TODAY - timedelta(days=1)),  # expired
        Promotion(name="Tool week", category_id=catalog["tools"].id, discount_percent=D(10),
                  starts_on=TODAY, ends_on=TODAY),
    ])
    db.session.commit()
    book = _book(company, [drill, saw])
    # drill: trade break 80.00 (the tier's own beats the general 85.00), tools promotion via its parent
    assert book.price(drill.id, D(10)).unit == D("68.40")  # 80 × 0.9 × 0.95
    assert book.price(drill.id, D(10)).promotion_name == "Tool week"
    # saw: contract 40.00 is lower than 50 × 0.9
    assert (book.price(saw.id).unit, book.price(saw.id).source) == (D("38.00"), "contract")
    assert [(q, p.unit) for q, p in book.price_breaks(drill.id)] == [(D(10), D("68.40"))]
    # the promotion is over tomorrow
    assert _book(company, [drill], today=TODAY + timedelta(days=1)).price(drill.id, D(10)).unit == D("76.00")


def test_guests_pay_the_guest_tier_without_contracts_or_none_without_one(db, make, catalog):
    drill = catalog["drill"]
    guest = guest_buyer("TRADE")
    book = load_price_book(guest, [(drill.id, drill.category_id)], TODAY)
    assert book.price(drill.id).unit == D("90.00")
    assert load_price_book(guest_buyer(""), [(drill.id, drill.category_id)], TODAY).price(drill.id) is None


def test_a_page_of_products_is_priced_with_the_same_number_of_queries(db, make, catalog, count_queries):
    company = make.company(price_tier_id=catalog["trade"].id)
    db.session.add(Promotion(name="All", discount_percent=D(5)))
    db.session.commit()
    few = [make.product(price="3.00", tier=catalog["standard"], category=catalog["drills"]) for _ in range(2)]
    many = few + [make.product(price="3.00", tier=catalog["standard"], category=catalog["drills"])
                  for _ in range(40)]
    for product in many[::3]:
        db.session.add(ContractPrice(company_id=company.id, product_id=product.id, price=D("2.00")))
        db.session.add(PriceBreak(product_id=product.id, min_qty=D(5), price=D("2.50")))
    db.session.commit()
    buyer = buyer_for(company, D(0))
    few_pairs, many_pairs = [(p.id, p.category_id) for p in few], [(p.id, p.category_id) for p in many]
    with count_queries() as small:
        load_price_book(buyer, few_pairs, TODAY)
    with count_queries() as large:
        book = load_price_book(buyer, many_pairs, TODAY)
    assert large.count == small.count <= 3
    assert book.price(many[3].id).unit == D("2.00")
