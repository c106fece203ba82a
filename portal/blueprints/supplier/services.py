"""What a supplier sees: purchase orders once sent, and its bills with what is left to pay."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Select, select

from portal.extensions import db
from portal.models import Company, PurchaseOrder, PurchaseOrderStatus, SupplierBill, SupplierBillStatus

#: purchase orders still being written are not the supplier's business yet
HIDDEN_PURCHASE_ORDER = (PurchaseOrderStatus.draft,)
#: sent to the supplier and not yet received in full: the goods are still to come
OPEN_PURCHASE_ORDER = (PurchaseOrderStatus.sent, PurchaseOrderStatus.acknowledged)
#: bills we have not paid yet (a disputed one waits for the dispute to end)
UNPAID_BILL = (SupplierBillStatus.received, SupplierBillStatus.approved, SupplierBillStatus.disputed)


#: the status filters of the bill list: value -> the statuses it shows ("" shows every bill)
BILL_FILTERS: dict[str, tuple[SupplierBillStatus, ...]] = {
    "unpaid": UNPAID_BILL,
    **{status.value: (status,) for status in SupplierBillStatus},
}


def bill_status_filter(value: str | None) -> str:
    """The bill list's filter from the query string; anything it does not offer shows every bill."""
    return value if value in BILL_FILTERS else ""


def bills_with_status(query: Select, status: str) -> Select:
    return query.where(SupplierBill.status.in_(BILL_FILTERS[status])) if status else query


def visible_purchase_orders(query: Select) -> Select:
    """Purchase orders sent to the supplier, newest first; `query` selects PurchaseOrder."""
    return (query.where(PurchaseOrder.status.not_in(HIDDEN_PURCHASE_ORDER))
            .order_by(PurchaseOrder.order_date.desc(), PurchaseOrder.id.desc()))


def bills_newest_first(query: Select) -> Select:
    return query.order_by(SupplierBill.bill_date.desc(), SupplierBill.id.desc())


def balance_due(bill: SupplierBill) -> Decimal:
    """What we still owe the supplier on a bill."""
    return (bill.total or Decimal(0)) - (bill.amount_paid or Decimal(0))


def open_purchase_orders(company: Company) -> list[PurchaseOrder]:
    """The supplier's purchase orders still to be delivered, the soonest expected first."""
    return list(db.session.execute(
        select(PurchaseOrder).where(PurchaseOrder.company_id == company.id,
                                    PurchaseOrder.status.in_(OPEN_PURCHASE_ORDER))
        .order_by(PurchaseOrder.expected_date.asc().nulls_last(), PurchaseOrder.id)
    ).scalars())


def unpaid_bills(company: Company) -> list[SupplierBill]:
    """The supplier's bills we still have to pay, the first due first."""
    return list(db.session.execute(
        select(SupplierBill).where(SupplierBill.company_id == company.id, SupplierBill.status.in_(UNPAID_BILL))
        .order_by(SupplierBill.due_date.asc().nulls_last(), SupplierBill.id)
    ).scalars())
