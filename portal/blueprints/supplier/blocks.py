"""The supplier home's blocks: purchase orders still to deliver and bills we still have to pay."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.blueprints.supplier import services
from portal.models import Company, PurchaseOrder, SupplierBill


@dataclass(frozen=True)
class UnpaidBill:
    bill: SupplierBill
    outstanding: Decimal


def open_purchase_orders(company: Company) -> list[PurchaseOrder]:
    return services.open_purchase_orders(company)


def bills_due(company: Company) -> list[UnpaidBill]:
    return [UnpaidBill(bill, services.balance_due(bill)) for bill in services.unpaid_bills(company)]
