"""The supplier home's block of bills we still have to pay, each with what is left of it."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.blueprints.supplier import services
from portal.models import Company, SupplierBill


@dataclass(frozen=True)
class UnpaidBill:
    bill: SupplierBill
    outstanding: Decimal


def bills_due(company: Company) -> list[UnpaidBill]:
    """Each bill we still have to pay, with what is left of it."""
    return [UnpaidBill(bill, services.balance_due(bill)) for bill in services.unpaid_bills(company)]
