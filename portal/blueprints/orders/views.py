from flask import abort, current_app, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal import settings
from portal.blueprints.orders import bp, charge_views
from portal.extensions import db
from portal.features import registry
from portal.models import OrderApproval, OrderCharge, OrderStatus, SalesOrder, SalesOrderLine, Shipment
from portal.permissions import acting, can, require_permission, scoped
from portal.services import (
    clock,
    csv_files,
    deal_timeline,
    order_cancellation,
    order_charges,
    order_search,
    price_display,
)
from portal.settings import is_enabled


def _company_id() -> int:
    company_id = acting().company_id
    if company_id is None:
        abort(404)
    return company_id


@bp.route("/")
@require_permission("orders.view")
def index():
    hidden = price_display.prices_hidden()
    criteria = order_search.parse(request.args, prices_hidden=hidden)
    page = order_search.find_page(_company_id(), criteria, order_search.page_number(request.args.get("page")))
    return render_template("orders/index.html", page=page, criteria=criteria, statuses=list(OrderStatus),
                           sorts=order_search.sort_options(hidden))


@bp.route("/export.csv")
@require_permission("orders.view")
def export_csv():
    """The list as filtered, searched and sorted, every page of it."""
    criteria = order_search.parse(request.args, prices_hidden=price_display.prices_hidden())
    return csv_files.stream(order_search.CSV_HEADER, order_search.csv_rows(_company_id(), criteria),
                            f"orders-{clock.today().isoformat()}.csv")


@bp.route("/<int:order_id>")
@require_permission("orders.view")
def detail(order_id: int):
    order = db.one_or_404(
        scoped(select(SalesOrder), SalesOrder).where(SalesOrder.id == order_id)
        .options(selectinload(SalesOrder.lines).joinedload(SalesOrderLine.product),
                 joinedload(SalesOrder.placed_by), joinedload(SalesOrder.acting_rep),
                 joinedload(SalesOrder.shipping_address), joinedload(SalesOrder.billing_address),
                 selectinload(SalesOrder.approvals).joinedload(OrderApproval.decided_by),
                 selectinload(SalesOrder.charges).joinedload(OrderCharge.decided_by))
    )
    charges = order_charges.for_customer(order)
    return render_template("orders/detail.html", order=order, shipments=_shipments_of(order),
                           shop=_shop_actions(order), timeline=deal_timeline.for_order(order, _deal_sight(order)),
                           charges=charges, charge_sums=order_charges.sums(order, charges),
                           may_decide_charges=can(charge_views.DECIDE))


def _deal_sight(order: SalesOrder) -> deal_timeline.Sight:
    """What of the deal the user sees on the timeline: a feature that is on and its view permission."""
    has_returns = "returns" in registry()
    returns = is_enabled("returns") and can("returns.view") if has_returns else True
    return deal_timeline.Sight(quotes=is_enabled("quotations") and can("quotes.view"),
                               shipments=is_enabled("shipments") and can("shipments.view"),
                               invoices=is_enabled("invoices") and can("invoices.view"),
                               returns=returns,
                               return_links=returns and has_returns and "returns.detail" in current_app.view_functions,
                               charges=order_charges.shown_to_customer(order.company))


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
