"""Supplier pages (read-only): purchase orders and supplier bills."""
from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal import paging
from portal.blueprints.supplier import bp, services
from portal.extensions import db
from portal.models import PurchaseOrder, PurchaseOrderLine, SupplierBill
from portal.permissions import require_permission, scoped


@bp.route("/")
@require_permission("supplier.view", audience="supplier")
def purchase_orders():
    query = services.visible_purchase_orders(scoped(select(PurchaseOrder), PurchaseOrder))
    page = paging.page_of(query)
    return render_template("supplier/purchase_orders.html", page=page)


@bp.route("/purchase-orders/<int:purchase_order_id>")
@require_permission("supplier.view", audience="supplier")
def purchase_order(purchase_order_id: int):
    order = db.one_or_404(services.visible_purchase_orders(
        scoped(select(PurchaseOrder), PurchaseOrder).where(PurchaseOrder.id == purchase_order_id)
        .options(selectinload(PurchaseOrder.lines).joinedload(PurchaseOrderLine.product))
    ))
    bills = db.session.execute(services.bills_newest_first(
        scoped(select(SupplierBill), SupplierBill).where(SupplierBill.purchase_order_id == order.id)
    )).scalars().all()
    return render_template("supplier/purchase_order.html", order=order, bills=bills,
                           lines=sorted(order.lines, key=lambda line: (line.position, line.id)),
                           balance_due=services.balance_due)


@bp.route("/bills")
@require_permission("supplier.view", audience="supplier")
def bills():
    query = services.bills_newest_first(
        scoped(select(SupplierBill), SupplierBill).options(joinedload(SupplierBill.purchase_order)))
    page = paging.page_of(query)
    return render_template("supplier/bills.html", page=page, balance_due=services.balance_due,
                           hidden_po=services.HIDDEN_PURCHASE_ORDER)


@bp.route("/bills/<int:bill_id>")
@require_permission("supplier.view", audience="supplier")
def bill(bill_id: int):
    bill = db.one_or_404(scoped(select(SupplierBill), SupplierBill).where(SupplierBill.id == bill_id)
                         .options(joinedload(SupplierBill.purchase_order)))
    return render_template("supplier/bill.html", bill=bill, balance_due=services.balance_due(bill),
                           hidden_po=services.HIDDEN_PURCHASE_ORDER)
