"""What a supplier sees: purchase orders once sent, and its bills with what is left to pay."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Select

from portal.models import PurchaseOrder, PurchaseOrderStatus, SupplierBill

#: purchase orders still being written are not the supplier's business yet
HIDDEN_PURCHASE_ORDER = (PurchaseOrderStatus.draft,)


def visible_purchase_orders(query: Select) -> Select:
    """Purchase orders sent to the supplier, newest first; `query` selects PurchaseOrder."""
    return (query.where(PurchaseOrder.status.not_in(HIDDEN_PURCHASE_ORDER))
            .order_by(PurchaseOrder.order_date.desc(), PurchaseOrder.id.desc()))


def bills_newest_first(query: Select) -> Select:
    return query.order_by(SupplierBill.bill_date.desc(), SupplierBill.id.desc())


def balance_due(bill: SupplierBill) -> Decimal:
    """What we still owe the supplier on a bill."""
    return (bill.total or Decimal(0)) - (bill.amount_paid or Decimal(0))
