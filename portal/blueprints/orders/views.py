from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal import settings
from portal.blueprints.orders import bp
from portal.extensions import db
from portal.models import OrderApproval, OrderStatus, SalesOrder, SalesOrderLine, Shipment
from portal.permissions import can, require_permission, scoped
from portal.services import order_cancellation
from portal.settings import is_enabled


@bp.route("/")
@require_permission("orders.view")
def index():
    status = request.args.get("status", "")
    query = scoped(select(SalesOrder), SalesOrder).order_by(SalesOrder.placed_dt.desc(), SalesOrder.id.desc())
    if status in OrderStatus.__members__:
        query = query.where(SalesOrder.status == OrderStatus(status))
    page = db.paginate(query, per_page=25, error_out=False)
    return render_template("orders/index.html", page=page, status=status, statuses=list(OrderStatus))


@bp.route("/<int:order_id>")
@require_permission("orders.view")
def detail(order_id: int):
    order = db.one_or_404(
        scoped(select(SalesOrder), SalesOrder).where(SalesOrder.id == order_id)
        .options(selectinload(SalesOrder.lines).joinedload(SalesOrderLine.product),
                 joinedload(SalesOrder.placed_by), joinedload(SalesOrder.acting_rep),
                 joinedload(SalesOrder.shipping_address), joinedload(SalesOrder.billing_address),
                 selectinload(SalesOrder.approvals).joinedload(OrderApproval.decided_by))
    )
    return render_template("orders/detail.html", order=order, shipments=_shipments_of(order),
                           shop=_shop_actions(order))


def _shop_actions(order: SalesOrder) -> dict:
    """What the shop lets the user do with the order here: reorder it, ask to cancel it."""
    if not (is_enabled("shop") and can("shop.order")):
        return {}
    return {"reorder": bool(settings.get("ordering.allow_orders") or settings.get("ordering.allow_quote_requests")),
            "cancel": order_cancellation.may_ask(order)}


def _shipments_of(order: SalesOrder) -> list[Shipment] | None:
    """The order's shipments, or None when the user may not see shipments (feature off or no permission)."""
    if not (is_enabled("shipments") and can("shipments.view")):
        return None
    return list(db.session.execute(
        scoped(select(Shipment), Shipment).where(Shipment.order_id == order.id)
        .order_by(Shipment.created_dt.desc(), Shipment.id.desc())
    ).scalars())
