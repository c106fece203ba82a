"""Figures for a customer's dashboard: each one is owned by its service and taken from there."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.models import Company
from portal.services import credit_limit, orders, receivables


@dataclass
class DashboardSummary:
    credit_limit: Decimal
    outstanding: Decimal
    open_orders_value: Decimal
    available_credit: Decimal
    open_orders: int
    open_invoices: int
    overdue_invoices: int
    recent_orders: list
    recent_invoices: list


def summary_for(company: Company, recent: int = 5) -> DashboardSummary:
    """Credit position and recent documents; open orders not yet invoiced count against credit."""
    return DashboardSummary(
        credit_limit=company.credit_limit or Decimal(0),
        outstanding=receivables.outstanding_total(company),
        open_orders_value=orders.open_orders_value(company),
        available_credit=credit_limit.available_credit(company),
        open_orders=orders.open_order_count(company),
        open_invoices=receivables.open_invoice_count(company),
        overdue_invoices=receivables.overdue_invoice_count(company),
        recent_orders=orders.recent_orders(company, recent),
        recent_invoices=receivables.recent_invoices(company, recent),
    )
