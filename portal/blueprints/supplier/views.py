"""Supplier pages: purchase orders (with the supplier's answers) and supplier bills."""
from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal import paging
from portal.blueprints.supplier import bp, services
from portal.extensions import db
from portal.models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderNote, SupplierBill
from portal.permissions import can, require_permission, scoped
from portal.services import purchase_order_responses as responses


@bp.route("/")
@require_permission("supplier.view", audience="supplier")
def purchase_orders():
    query = services.visible_purchase_orders(scoped(select(PurchaseOrder), PurchaseOrder))
    page = paging.page_of(query)
    return render_template("supplier/purchase_orders.html", page=page)


def purchase_order_or_404(purchase_order_id: int) -> PurchaseOrder:
    """One of the acting supplier's purchase orders it may see (never a draft), else 404."""
    return db.one_or_404(services.visible_purchase_orders(
        scoped(select(PurchaseOrder), PurchaseOrder).where(PurchaseOrder.id == purchase_order_id)
        .options(selectinload(PurchaseOrder.lines).joinedload(PurchaseOrderLine.product),
                 selectinload(PurchaseOrder.supplier_notes).joinedload(PurchaseOrderNote.author),
                 selectinload(PurchaseOrder.date_proposals), joinedload(PurchaseOrder.acknowledged_by))
    ))


def purchase_order_page(order: PurchaseOrder, errors: dict | None = None, form=None, status: int = 200):
    bills = db.session.execute(services.bills_newest_first(
        scoped(select(SupplierBill), SupplierBill).where(SupplierBill.purchase_order_id == order.id)
    )).scalars().all()
    return render_template("supplier/purchase_order.html", order=order, bills=bills,
                           lines=sorted(order.lines, key=lambda line: (line.position, line.id)),
                           balance_due=services.balance_due, may_respond=can("supplier.respond"),
                           may_acknowledge=responses.may_acknowledge(order),
                           may_propose=responses.may_propose(order),
                           pending=responses.pending_proposal(order), decided=responses.latest_decision(order),
                           note_limit=responses.NOTE_LIMIT, reason_limit=responses.REASON_LIMIT,
                           errors=errors or {}, form=form or {}), status


@bp.route("/purchase-orders/<int:purchase_order_id>")
@require_permission("supplier.view", audience="supplier")
def purchase_order(purchase_order_id: int):
    return purchase_order_page(purchase_order_or_404(purchase_order_id))


@bp.route("/bills")
@require_permission("supplier.view", audience="supplier")
def bills():
    status = services.bill_status_filter(request.args.get("status"))
    query = services.bills_newest_first(services.bills_with_status(
        scoped(select(SupplierBill), SupplierBill).options(joinedload(SupplierBill.purchase_order)), status))
    page = paging.page_of(query)
    return render_template("supplier/bills.html", page=page, balance_due=services.balance_due,
                           hidden_po=services.HIDDEN_PURCHASE_ORDER, status=status,
                           filters=services.BILL_FILTERS)


@bp.route("/bills/<int:bill_id>")
@require_permission("supplier.view", audience="supplier")
def bill(bill_id: int):
    bill = db.one_or_404(scoped(select(SupplierBill), SupplierBill).where(SupplierBill.id == bill_id)
                         .options(joinedload(SupplierBill.purchase_order)))
    return render_template("supplier/bill.html", bill=bill, balance_due=services.balance_due(bill),
                           hidden_po=services.HIDDEN_PURCHASE_ORDER)
