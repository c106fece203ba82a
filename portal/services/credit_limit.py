"""A customer's credit position: how much more it may buy on account."""
from __future__ import annotations

from decimal import Decimal

from portal.models import Company
from portal.services import orders, receivables


def available_credit(company: Company) -> Decimal:
    """The credit limit less what is outstanding (after credit notes) and less open orders not yet
    invoiced; never below zero. All in the company's currency."""
    limit = company.credit_limit or Decimal(0)
    used = receivables.outstanding_total(company) + orders.open_orders_value(company)
    return max(limit - used, Decimal(0))
