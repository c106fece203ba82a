"""Checkout: details (addresses, reference, date, notes) -> review with totals and tax -> place.

The review is the answer to the details form (nothing is stored before placing); its hidden
fields carry the details, the prices reviewed and the form's one-time key to "Place order".
"""
from __future__ import annotations

import secrets
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.blueprints.shop import bp, ordering
from portal.extensions import db
from portal.models import AddressKind, OrderStatus, SalesOrder
from portal.permissions import current_actor, require_permission, scoped
from portal.services import addresses, cart, checkout, order_cancellation
from portal.services.addresses import AddressData
from portal.services.checkout import CheckoutError, Details, PricesChanged
from portal.services.errors import RuleError

_ADDRESS_FIELDS = ("label", "recipient", "line1", "line2", "postcode", "city", "country")


def _new_address(prefix: str, kind: AddressKind) -> AddressData:
    values = {name: request.form.get(f"{prefix}_{name}", "").strip() for name in _ADDRESS_FIELDS}
    values["country"] = values["country"] or "NL"
    return AddressData(kind=kind.value, **values)


def details_from_form() -> Details:
    """The checkout details as posted; a date that is no date is a CheckoutError."""
    raw_date = request.form.get("requested_delivery_date", "").strip()
    try:
        wanted = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        raise CheckoutError(_("Enter the delivery date as a date, e.g. 2026-12-24."),
                            field="requested_delivery_date") from None
    return Details(
        shipping=request.form.get("shipping", ""), billing=request.form.get("billing", checkout.SAME),
        new_shipping=_new_address("ns", AddressKind.shipping), new_billing=_new_address("nb", AddressKind.billing),
        customer_reference=request.form.get("customer_reference", "").strip(),
        requested_delivery_date=wanted, notes=request.form.get("notes", ""))


def _details_page(current: cart.Cart, details: Details | None = None, error: RuleError | None = None):
    book = addresses.addresses_of(ordering.company())
    shipping_book = [a for a in book if a.kind == AddressKind.shipping]
    billing_book = [a for a in book if a.kind == AddressKind.billing]
    if details is None:
        default_ship = next((a for a in shipping_book if a.is_default), shipping_book[0] if shipping_book else None)
        details = Details(shipping=str(default_ship.id) if default_ship else checkout.NEW, billing=checkout.SAME)
    return render_template("shop/checkout.html", cart=current, details=details, error=error,
                           shipping_book=shipping_book, billing_book=billing_book,
                           orders_allowed=ordering.orders_allowed())


def _review_page(review: checkout.Review, notice: str | None = None):
    return render_template("shop/checkout_review.html", review=review, notice=notice,
                           checkout_key=request.form.get("checkout_key") or secrets.token_urlsafe(24))


@bp.route("/checkout", methods=["GET", "POST"], endpoint="checkout")
@require_permission("shop.order")
def checkout_page():
    actor, company = current_actor(), ordering.company()
    if request.method == "GET":
        return _details_page(cart.load(actor, company))
    ordering.require_orders_allowed()
    if request.form.get("edit"):
        return _details_page(cart.load(actor, company), _keep_details())
    try:
        details = details_from_form()
        review = checkout.review(actor, company, details)
    except CheckoutError as error:
        return _details_page(cart.load(actor, company), _keep_details(), error)
    return _review_page(review)


def _keep_details() -> Details:
    """What the customer typed, to show the form again after an error."""
    try:
        return details_from_form()
    except CheckoutError:
        details = Details()
        details.shipping, details.billing = request.form.get("shipping", ""), request.form.get("billing", "")
        return details


@bp.post("/checkout/place", endpoint="checkout_place")
@require_permission("shop.order")
def place_order():
    ordering.require_orders_allowed()
    actor, company = current_actor(), ordering.company()
    try:
        details = details_from_form()
        placed = checkout.place(actor, company, details, request.form.get("checkout_key", ""),
                                request.form.get("reviewed", ""))
    except PricesChanged as changed:
        db.session.rollback()
        return _review_page(changed.review, notice=str(changed))
    except CheckoutError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _details_page(cart.load(actor, company), _keep_details(), error)
    order = placed.order
    number, order_id, waits = order.number, order.id, order.status == OrderStatus.pending_approval
    db.session.commit()
    if waits:
        flash(_("Your order %(number)s is placed and waits for approval. We email you the decision.", number=number),
              "success")
    else:
        flash(_("Thank you: your order %(number)s is placed. A confirmation is on its way by email.", number=number),
              "success")
    return redirect(url_for("orders.detail", order_id=order_id))


@bp.post("/orders/<int:order_id>/cancel", endpoint="order_cancel")
@require_permission("shop.order")
def request_cancel(order_id: int):
    order = db.one_or_404(scoped(select(SalesOrder), SalesOrder).where(SalesOrder.id == order_id))
    try:
        order_cancellation.request_cancel(order, request.form.get("reason", ""), by=current_actor())
    except RuleError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        number = order.number
        db.session.commit()
        flash(_("We received your request to cancel order %(number)s. We will let you know.", number=number), "success")
    return redirect(url_for("orders.detail", order_id=order_id))


