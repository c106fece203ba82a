"""Figures for a customer's dashboard."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Company, Invoice, InvoiceStatus, OrderStatus, SalesOrder

OPEN_INVOICE = (InvoiceStatus.open, InvoiceStatus.partially_paid)
OPEN_ORDER = (OrderStatus.pending_approval, OrderStatus.submitted, OrderStatus.confirmed, OrderStatus.partially_shipped)


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
    inv = db.session.execute(
        select(func.coalesce(func.sum(Invoice.total - Invoice.amount_paid), 0), func.count(Invoice.id))
        .where(Invoice.company_id == company.id, Invoice.status.in_(OPEN_INVOICE))
    ).one()
    overdue = db.session.execute(
        select(func.count(Invoice.id)).where(Invoice.company_id == company.id, Invoice.status.in_(OPEN_INVOICE),
                                             Invoice.due_date < func.current_date())
    ).scalar_one()
    orders = db.session.execute(
        select(func.coalesce(func.sum(SalesOrder.total), 0), func.count(SalesOrder.id))
        .where(SalesOrder.company_id == company.id, SalesOrder.status.in_(OPEN_ORDER))
    ).one()
    outstanding = Decimal(str(inv[0]))
    open_value = Decimal(str(orders[0]))
    limit = company.credit_limit or Decimal(0)
    recent_orders = db.session.execute(
        select(SalesOrder).where(SalesOrder.company_id == company.id)
        .order_by(SalesOrder.placed_dt.desc()).limit(recent)
    ).scalars().all()
    recent_invoices = db.session.execute(
        select(Invoice).where(Invoice.company_id == company.id)
        .order_by(Invoice.issue_date.desc(), Invoice.id.desc()).limit(recent)
    ).scalars().all()
    return DashboardSummary(
        credit_limit=limit, outstanding=outstanding, open_orders_value=open_value,
        available_credit=max(limit - outstanding - open_value, Decimal(0)),
        open_orders=orders[1], open_invoices=inv[1], overdue_invoices=overdue,
        recent_orders=list(recent_orders), recent_invoices=list(recent_invoices),
    )
