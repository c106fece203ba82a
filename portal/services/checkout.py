"""Checkout: review a cart with addresses, reference, date and notes, then place it as one order.

Placing is one transaction: the company's row is locked first (so orders of one company are
placed one after the other and its credit is checked against the orders before), the cart is priced
again, the order is numbered and its lines and totals frozen, stock is reserved with conditional
updates that never take more than is available, the cart is emptied and the buyer and staff are
told (outbox, same transaction). The checkout form's one-time key makes a double-clicked or
retried submit find the order the first one placed.

Credit: a company with a credit limit may not go past its available credit (services.credit_limit);
the shop setting "credit_check" says whether such an order is refused with the figures or waits for
staff approval. A company without a credit limit (0) is not checked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal import settings
from portal.extensions import db
from portal.i18n import N_
from portal.models import Address, AddressKind, Company, Membership, OrderStatus, SalesOrder
from portal.money import money
from portal.services import (
    addresses,
    approvals,
    audit,
    cart,
    clock,
    credit_limit,
    mailer,
    portal_events,
    staff_notices,
    stock_reservation,
)
from portal.services.actor import Actor
from portal.services.addresses import AddressData, AddressError
from portal.services.errors import RuleError
from portal.services.numbering import next_number
from portal.services.totals import recompute_totals

NEW, SAME = "new", "same"
_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
#: how far ahead a delivery date may be requested
MAX_DAYS_AHEAD = 365


class CheckoutError(RuleError):
    """The order cannot be placed as it is; the message says why and nothing was changed."""


class PricesChanged(CheckoutError):
    """Prices or quantities changed after the review: the new review must be shown before placing."""

    def __init__(self, review: Review):
        super().__init__(_("Your order changed since you reviewed it (its prices, or the cart in another window). "
                           "Check it below and place it again."))
        self.review = review


@dataclass
class Details:
    """What the customer fills in at checkout (ids as posted; "new" / "same" as described)."""

    shipping: str = ""
    billing: str = ""
    new_shipping: AddressData | None = None
    new_billing: AddressData | None = None
    customer_reference: str = ""
    requested_delivery_date: date | None = None
    notes: str = ""


@dataclass(frozen=True)
class CreditCheck:
    limit: Decimal
    available: Decimal
    order_total: Decimal
    currency: str

    @property
    def checked(self) -> bool:
        return self.limit > 0

    @property
    def exceeds(self) -> bool:
        return self.checked and self.order_total > self.available

    def refusal(self) -> str:
        return _("This order of %(total)s is more than your available credit of %(available)s (credit limit "
                 "%(limit)s). Pay open invoices or order less; ask us if your limit should be higher.",
                 total=money(self.order_total, self.currency), available=money(self.available, self.currency),
                 limit=money(self.limit, self.currency))


@dataclass
class Review:
    cart: cart.Cart
    details: Details
    shipping: Address | AddressData | None
    billing: Address | AddressData | None
    credit: CreditCheck
    credit_mode: str
    needs_customer_approval: bool
    problems: list[str] = field(default_factory=list)

    @property
    def needs_credit_approval(self) -> bool:
        return self.credit.exceeds and self.credit_mode == "approval"

    @property
    def refused_for_credit(self) -> bool:
        return self.credit.exceeds and self.credit_mode != "approval"

    @property
    def can_place(self) -> bool:
        return not self.problems and not self.cart.is_empty and not self.refused_for_credit

    @property
    def fingerprint(self) -> str:
        return self.cart.fingerprint()


@dataclass(frozen=True)
class Placed:
    order: SalesOrder
    #: the key had placed this order already (double click, retry)
    again: bool = False


def credit_check(company: Company, total: Decimal, currency: str) -> CreditCheck:
    return CreditCheck(company.credit_limit or Decimal(0), credit_limit.available_credit(company), total, currency)


def _role(actor: Actor, company: Company):
    if actor.user is None or not actor.user.is_contact:
        return None
    membership = db.session.execute(select(Membership).where(
        Membership.user_id == actor.user_id, Membership.company_id == company.id)).scalar_one_or_none()
    return membership.role if membership is not None else None


#: what is said about a missing or wrong address, per kind: fill in a new one, a problem of the new one,
#: choose one, choose one of the address book
_ADDRESS_TEXTS = {
    AddressKind.shipping: (N_("Fill in the new delivery address."), N_("New delivery address: %(problem)s"),
                           N_("Choose a delivery address."), N_("Choose a delivery address from your address book.")),
    AddressKind.billing: (N_("Fill in the new billing address."), N_("New billing address: %(problem)s"),
                          N_("Choose a billing address."), N_("Choose a billing address from your address book.")),
}


def _address(company: Company, choice: str, new: AddressData | None, kind: AddressKind) -> Address | AddressData | None:
    fill, wrong, choose, from_book = _ADDRESS_TEXTS[kind]
    if choice == NEW:
        if new is None:
            raise CheckoutError(_(fill), field=kind.value)
        try:
            addresses.check(new)  # the address book's rules (it is saved there when the order is placed)
        except AddressError as error:
            raise CheckoutError(_(wrong, problem=str(error)), field=kind.value) from None
        return new
    try:
        address_id = int(choice)
    except (TypeError, ValueError):
        raise CheckoutError(_(choose), field=kind.value) from None
    address = db.session.execute(select(Address).where(
        Address.id == address_id, Address.company_id == company.id, addresses.IN_BOOK)).scalar_one_or_none()
    if address is None:
        raise CheckoutError(_(from_book), field=kind.value)
    return address


def check_details(company: Company, details: Details) -> tuple[Address | AddressData, Address | AddressData]:
    """The chosen addresses; CheckoutError for anything missing or wrong."""
    shipping = _address(company, details.shipping, details.new_shipping, AddressKind.shipping)
    if details.billing in (SAME, ""):
        billing = shipping
    else:
        billing = _address(company, details.billing, details.new_billing, AddressKind.billing)
    if len(details.customer_reference or "") > 80:
        raise CheckoutError(_("Keep your reference (PO number) under 80 characters."), field="customer_reference")
    if len(details.notes or "") > 2000:
        raise CheckoutError(_("Keep the notes under 2000 characters."), field="notes")
    wanted = details.requested_delivery_date
    if wanted is not None:
        today = clock.today()
        if wanted < today:
            raise CheckoutError(_("The requested delivery date is in the past."), field="requested_delivery_date")
        if wanted > today + timedelta(days=MAX_DAYS_AHEAD):
            raise CheckoutError(_("Request a delivery date within a year."), field="requested_delivery_date")
    return shipping, billing


def review(actor: Actor, company: Company, details: Details) -> Review:
    """Everything the review page shows; CheckoutError when the details are not right."""
    shipping, billing = check_details(company, details)
    current = cart.load(actor, company)
    role = _role(actor, company)
    may_approve = bool(role and (role.all_permissions or "shop.approve" in (role.permissions or [])))
    customer = approvals.rules_apply(company, current.total, placed_by_buyer=bool(role and role.name == "Buyer"),
                                     placer_may_approve=may_approve)
    result = Review(current, details, shipping, billing, credit_check(company, current.total, current.currency),
                    settings.get("shop.credit_check"), customer, problems=current.problems)
    if current.is_empty:
        result.problems.append(_("Your cart is empty."))
    return result


def place(actor: Actor, company: Company, details: Details, checkout_key: str, reviewed: str) -> Placed:
    """Place the reviewed cart as an order (the caller commits; on any error it rolls back)."""
    if not _KEY.match(checkout_key or ""):
        raise CheckoutError(_("This checkout form is out of date. Review your order again."))
    _lock(company)
    existing = _placed_with(checkout_key)
    if existing is not None:
        if existing.company_id != company.id:
            raise CheckoutError(_("This checkout form is out of date. Review your order again."))
        return Placed(existing, again=True)
    result = review(actor, company, details)
    if result.problems:
        raise CheckoutError(" ".join(result.problems))
    if result.fingerprint != reviewed:
        raise PricesChanged(result)
    if result.refused_for_credit:
        raise CheckoutError(result.credit.refusal())
    order = _order(actor, company, result, checkout_key)
    try:
        db.session.flush()
    except IntegrityError:  # the same key placed an order a moment ago in another request
        db.session.rollback()
        existing = _placed_with(checkout_key)
        if existing is None or existing.company_id != company.id:
            raise CheckoutError(_("This order could not be placed. Review it and try again.")) from None
        return Placed(existing, again=True)
    _reserve(result.cart)
    cart.empty(actor, company)
    audit.record("order.placed", order, company_id=company.id, actor=actor, number=order.number, total=order.total,
                 status=order.status.value, checkout_key=checkout_key[:12])
    portal_events.record("order_placed", company_id=company.id, by=actor, subject_type="sales_order",
                         subject_id=order.id, data={"number": order.number, "total": str(order.total),
                                                    "currency": order.currency})
    _tell(actor, company, order)
    return Placed(order)


def _lock(company: Company) -> None:
    """Orders of one company are placed one at a time: a row lock on PostgreSQL, the write lock on SQLite."""
    db.session.execute(update(Company).where(Company.id == company.id).values(credit_limit=Company.credit_limit)
                       .execution_options(synchronize_session=False))


def _placed_with(checkout_key: str) -> SalesOrder | None:
    return db.session.execute(select(SalesOrder).where(SalesOrder.checkout_key == checkout_key)).scalar_one_or_none()


def _saved(company: Company, address: Address | AddressData, kind: AddressKind, actor: Actor) -> Address:
    if isinstance(address, Address):
        return address
    data = AddressData(**{**address.__dict__, "kind": kind.value})
    return addresses.add(company, data, by=actor)


def _order(actor: Actor, company: Company, result: Review, checkout_key: str) -> SalesOrder:
    details = result.details
    shipping = _saved(company, result.shipping, AddressKind.shipping, actor)
    billing = shipping if result.billing is result.shipping else _saved(company, result.billing,
                                                                         AddressKind.billing, actor)
    waits = approvals.reason_for(result.needs_customer_approval, result.needs_credit_approval)
    order = SalesOrder(
        number=next_number("sales_order"), company_id=company.id, currency=result.cart.currency,
        placed_by_id=actor.user_id, acting_rep_id=actor.acting_rep_id,
        status=OrderStatus.pending_approval if waits else OrderStatus.submitted, approval_reason=waits,
        customer_reference=(details.customer_reference or "").strip() or None,
        shipping_address_id=shipping.id, billing_address_id=billing.id,
        requested_delivery_date=details.requested_delivery_date, notes=(details.notes or "").strip() or None,
        checkout_key=checkout_key)
    for line in result.cart.order_lines:
        order.lines.append(line)
    recompute_totals(order)
    db.session.add(order)
    return order


def _reserve(current: cart.Cart) -> None:
    """Reserve each line's quantity, never more than is available (products without stock kept are not limited)."""
    for line in current.lines:
        if line.stock is None:
            continue
        if not stock_reservation.reserve(line.product.id, line.quantity):
            left = stock_reservation.available(line.product.id)
            raise CheckoutError(cart.shortage(line.product, line.quantity, left)
                                or _("%(product)s cannot be reserved now. Try again.", product=line.product.name))


def _tell(actor: Actor, company: Company, order: SalesOrder) -> None:
    """The buyer's confirmation and the staff event, queued in this transaction."""
    link = mailer.company_url("orders.detail", order.company_id, order_id=order.id)
    if actor.user is not None:
        mailer.send("order_confirmation", actor.user, order_number=order.number, company_name=company.name,
                    order=order, lines=list(order.lines), currency=order.currency, link=link,
                    pending_approval=order.status == OrderStatus.pending_approval,
                    placed_by_rep=actor.acting_rep_id is not None)
    if order.approval_reason in (approvals.CUSTOMER, approvals.CUSTOMER_THEN_CREDIT):
        approvals.ask_approvers(order, company)
    who = actor.user.name if actor.user is not None else "Someone"
    if actor.acting_rep_id is not None:
        who = f"{who} (sales rep) for {company.name}"
    staff_notices.notify("order_placed", f"{who} placed order {order.number} of {money(order.total, order.currency)}"
                         + (" (waiting for approval)." if order.status == OrderStatus.pending_approval else "."),
                         company=company, contact=actor.user,
                         link=mailer.external_url("admin_sales_order.edit_view", id=order.id))
