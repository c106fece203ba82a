"""Sales orders the customer is still waiting for, and what of them is not invoiced yet.

The one owner of "open order": the dashboard, the back-office home and the credit position import it.
An order's value counts its billable extra charges (portal.services.order_charges) beside its own total.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ColumnElement, case, func, select

from portal.extensions import db
from portal.models import Company, Invoice, OrderCharge, OrderStatus, SalesOrder
from portal.services.order_charges import billable_clause
from portal.services.receivables import ISSUED_INVOICE

#: placed and not yet fully shipped (or cancelled, or rejected)
OPEN_ORDER = (OrderStatus.pending_approval, OrderStatus.submitted, OrderStatus.confirmed,
              OrderStatus.partially_shipped)


def open_clause() -> ColumnElement[bool]:
    return SalesOrder.status.in_(OPEN_ORDER)


def open_order_count(company: Company) -> int:
    return db.session.execute(
        select(func.count(SalesOrder.id)).where(SalesOrder.company_id == company.id, open_clause())).scalar_one()


def open_orders_value(company: Company) -> Decimal:
    """What open orders (in the company's currency) are worth beyond what is already invoiced for them:
    an invoiced order is owed on its invoice, so counting it here too would count it twice. An order is
    worth its total and its billable charges (approved, or every charge not rejected while the company
    does not see charges), with tax, invoiced or not: its invoices carry both."""
    # per open order (found through the company/status index), its invoices through the order index:
    # the cost follows the open orders, not the company's history
    invoiced = (select(func.coalesce(func.sum(Invoice.total), 0))
                .where(Invoice.order_id == SalesOrder.id, Invoice.status.in_(ISSUED_INVOICE))
                .correlate(SalesOrder).scalar_subquery())
    charged = (select(func.coalesce(func.sum(OrderCharge.total), 0))
               .where(OrderCharge.order_id == SalesOrder.id, billable_clause(bool(company.show_charges_on_portal)))
               .correlate(SalesOrder).scalar_subquery())
    remaining = SalesOrder.total + charged - invoiced
    value = db.session.execute(
        select(func.sum(case((remaining > 0, remaining), else_=0)))
        .where(SalesOrder.company_id == company.id, SalesOrder.currency == company.currency, open_clause())
    ).scalar_one()
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def recent_orders(company: Company, limit: int = 5) -> list[SalesOrder]:
    return list(db.session.execute(
        select(SalesOrder).where(SalesOrder.company_id == company.id)
        .order_by(SalesOrder.placed_dt.desc()).limit(limit)).scalars())
