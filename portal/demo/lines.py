"""Priced document lines for demo documents: what a customer pays, what we pay a supplier."""
from __future__ import annotations

from decimal import Decimal

from portal.demo.catalog import tier_price
from portal.demo.world import DemoCustomer, DemoWorld
from portal.models import Product

DELIVERY_CHARGE = Decimal("9.95")
FREE_DELIVERY_FROM = Decimal(250)
QUANTITIES = [1, 2, 2, 3, 4, 5, 5, 6, 10, 10, 12, 20, 25, 50]


def customer_unit_price(world: DemoWorld, customer: DemoCustomer, product: Product) -> tuple[Decimal, Decimal]:
    """(unit price, line discount %): a contract price as agreed, else the tier price less the customer discount."""
    contract = world.contract_prices.get((customer.company.code, product.sku))
    if contract is not None:
        return contract, Decimal(0)
    tier = customer.company.price_tier or world.tiers["STD"]
    return tier_price(world, product, tier), Decimal(customer.company.discount_percent or 0)


def tax_rate_for(world: DemoWorld, customer_code: str, product: Product | None = None) -> Decimal:
    if customer_code in world.reverse_charge:
        return Decimal("0.00")
    return product.tax_rate if product is not None and product.tax_rate is not None else Decimal("21.00")


def order_quantity(world: DemoWorld, product: Product) -> Decimal:
    qty = Decimal(world.rng.choice(QUANTITIES))
    multiple = product.min_order_qty or Decimal(1)
    return max(multiple, (qty / multiple).to_integral_value() * multiple)


def product_lines(world: DemoWorld, customer: DemoCustomer, line_cls, products: list[Product], **extra) -> list:
    lines = []
    for position, product in enumerate(products, start=1):
        unit_price, discount = customer_unit_price(world, customer, product)
        lines.append(line_cls(
            position=position, product=product, description=product.name, quantity=order_quantity(world, product),
            unit_price=unit_price, discount_percent=discount,
            tax_rate=tax_rate_for(world, customer.company.code, product), **extra,
        ))
    return lines


def delivery_line(world: DemoWorld, customer: DemoCustomer, line_cls, position: int):
    return line_cls(position=position, description="Delivery charge", quantity=Decimal(1),
                    unit_price=DELIVERY_CHARGE, discount_percent=Decimal(0),
                    tax_rate=tax_rate_for(world, customer.company.code))


def copy_lines(source_lines, line_cls, **extra) -> list:
    """The same lines on the next document (quote -> order -> invoice)."""
    return [line_cls(position=line.position, product=line.product, description=line.description,
                     quantity=line.quantity, unit_price=line.unit_price, discount_percent=line.discount_percent,
                     tax_rate=line.tax_rate, **extra) for line in source_lines]
