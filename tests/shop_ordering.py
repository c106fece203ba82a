"""Helpers for the cart, checkout and approval tests: a customer with products and a signed-in browser."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from portal.extensions import db
from portal.models import CartItem, Company, OrderStatus, Product, SalesOrder, User


@dataclass
class Shop:
    company: Company
    buyer: User
    products: list[Product]
    shipping_id: int


def shop_world(make, role: str = "Buyer", prices=("10.00", "25.00"), on_hand: str = "100", **company_kw) -> Shop:
    company_kw.setdefault("price_tier", make.tier())
    company = make.company(name=company_kw.pop("name", "ACME Tools"), **company_kw)
    buyer = make.contact(company, role=role, name="Bea Buyer", email=f"bea.{company.code.lower()}@acme.example")
    address = make.address(company, kind="shipping", label="Warehouse", is_default=True)
    products = [make.product(price=p, on_hand=on_hand, name=f"Widget {n}", sku=f"W-{company.code}-{n}")
                for n, p in enumerate(prices, start=1)]
    return Shop(company, buyer, products, address.id)


def csrf(page) -> str:
    return page.html.select_one("input[name=csrf_token]")["value"]


def add_to_cart(client, product: Product, quantity="1", status=302):
    page = client.get("/shop/cart")
    return client.post("/shop/cart/add", {"csrf_token": csrf(page), "product_id": product.id, "quantity": quantity},
                       status=status)


def review(client, **fields):
    """Fill the checkout form (defaults: the default address) and return the review page."""
    form = client.get("/shop/checkout").forms["checkout"]
    for name, value in fields.items():
        form[name] = value
    return form.submit()


def place(client, **fields):
    page = review(client, **fields)
    return page, page.forms["place-order"].submit()


def cart_items(user: User) -> list[CartItem]:
    db.session.expire_all()
    return list(db.session.execute(select(CartItem).where(CartItem.user_id == user.id)).scalars())


def orders_of(company: Company) -> list[SalesOrder]:
    db.session.expire_all()
    return list(db.session.execute(select(SalesOrder).where(SalesOrder.company_id == company.id)
                                   .order_by(SalesOrder.id)).scalars())


def reserved(product: Product) -> Decimal:
    db.session.expire_all()
    return db.session.get(Product, product.id).stock.reserved


PENDING = OrderStatus.pending_approval
