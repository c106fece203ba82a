"""Extra charges on an order (freight, surcharges, waiting time): staff add them, the customer approves or
rejects them, approved ones are billed on the order's next invoice, once.

- Staff add, change and remove a charge while it is *proposed*. Once the customer decided it (or it is
  invoiced) it is fixed: a change is refused, and a correction is a new charge.
- With the company's *Show charges on the customer portal* on, a proposed charge waits for the customer:
  the order page lists it with Approve / Reject (roles that may order: ``shop.order``), each decided once,
  a rejection with a comment; staff are notified, and the contacts are emailed when a charge is added.
- With it off, charges stay internal: the customer never sees them and a proposed charge counts as
  approved (``counts_as_approved``), so it is billed and counts against the credit as one.
- Billing: creating an invoice for the order adds a line per billable charge not yet invoiced and marks
  it invoiced on that invoice (locked, so two invoices at once never bill it twice). Proposed charges that
  still wait for the customer are left for a later invoice; rejected ones are never billed. Deleting the
  invoice gives its charges back. Deciding and billing lock the order row, so parallel requests take turns.
- Money: a charge's ``total`` is its amount with tax at its rate (rounded per charge). The order's own
  stored total stays what was ordered (and so do the lifetime "total sales" figures); the customer's order
  page shows approved charges as "Charges" beside it, and available credit counts billable charges with
  the order's open value (portal.services.orders.open_orders_value).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select, update

from portal.extensions import db
from portal.i18n import N_
from portal.models import (
    ChargeKind,
    ChargeStatus,
    Company,
    Invoice,
    InvoiceLine,
    OrderCharge,
    SalesOrder,
    User,
)
from portal.models.base import utcnow
from portal.money import money, money_shown
from portal.services import audit, customer_notices, mailer, portal_notices, staff_notices
from portal.services.actor import Actor
from portal.services.errors import RuleError
from portal.services.totals import HUNDRED, to_cents

MAX_COMMENT = 1000
CENT = Decimal("0.01")
#: how each kind reads on an invoice line; marked for the portal, which shows it with the `status` filter
KIND_LABELS = {ChargeKind.freight: N_("Freight"), ChargeKind.surcharge: N_("Surcharge"),
               ChargeKind.waiting_time: N_("Waiting time"), ChargeKind.other: N_("Other")}


class ChargeError(RuleError):
    """A change to a charge was refused; the message is for the person who tried, nothing was changed."""


def shown_to_customer(company: Company) -> bool:
    return bool(company.show_charges_on_portal)


def counts_as_approved(charge: OrderCharge, company: Company) -> bool:
    """Approved by the customer, or an internal charge (the company does not see charges)."""
    return charge.status == ChargeStatus.approved or (
        charge.status == ChargeStatus.proposed and not shown_to_customer(company))


def billable_clause(company_sees_charges: bool) -> ColumnElement[bool]:
    """SQL: the charges of a company's orders that are billed or to be billed."""
    if company_sees_charges:
        return OrderCharge.status.in_((ChargeStatus.approved, ChargeStatus.invoiced))
    return OrderCharge.status.in_((ChargeStatus.proposed, ChargeStatus.approved, ChargeStatus.invoiced))


# --- staff: add, change, remove ---------------------------------------------------------------------------

def gross(amount: Decimal, tax_rate: Decimal) -> Decimal:
    return to_cents(amount) + to_cents(to_cents(amount) * (tax_rate or Decimal(0)) / HUNDRED)


def prepare(charge: OrderCharge, *, stored_status: ChargeStatus | None, staff: User | None) -> None:
    """Before staff save a charge (new or changed): only a proposed charge may change, the amount is
    positive with at most two decimals; its total follows."""
    if stored_status is not None and stored_status != ChargeStatus.proposed:
        raise ChargeError(f"This charge is {stored_status.value}: it can no longer be changed. "
                          "Add a new charge to correct it.", field="amount")
    amount = charge.amount
    if amount is None or amount <= 0:
        raise ChargeError("Enter an amount above zero.", field="amount")
    if amount != amount.quantize(CENT):
        raise ChargeError("Use at most 2 decimals.", field="amount")
    if not (charge.description or "").strip():
        raise ChargeError("Describe the charge: the customer reads it.", field="description")
    charge.description = charge.description.strip()
    if charge.tax_rate is None:
        charge.tax_rate = Decimal("21.00")
    charge.total = gross(amount, charge.tax_rate)
    if stored_status is None:
        charge.status = ChargeStatus.proposed
        charge.created_by_id = staff.id if staff is not None else None


def check_removal(charge: OrderCharge) -> None:
    if charge.status != ChargeStatus.proposed:
        raise ChargeError(f"This charge is {charge.status.value}: it can no longer be removed.")


def added(charge: OrderCharge) -> list:
    """A charge was added: when the company approves charges on the portal, its contacts are emailed (once)."""
    order = charge.order
    if not shown_to_customer(order.company):
        return []
    return customer_notices.notify(
        "charges_proposed", f"charges_proposed:{charge.id}", order.company, permission="orders.view",
        title=order.number or "", link_path=portal_notices.path("orders.detail", order_id=order.id),
        order_number=order.number, description=charge.description,
        charge_kind=KIND_LABELS[ChargeKind(charge.kind)], amount=money_shown(charge.total, order.currency),
        link=mailer.company_url("orders.detail", order.company_id, order_id=order.id, _anchor="charges"))


# --- the customer decides ---------------------------------------------------------------------------------

def for_customer(order: SalesOrder) -> list[OrderCharge]:
    """The charges the customer sees on the order page (none while the company does not see charges)."""
    if not shown_to_customer(order.company):
        return []
    return list(order.charges)


@dataclass(frozen=True)
class ChargeSums:
    #: approved (and invoiced) charges, with tax
    approved: Decimal
    #: waiting for the customer, with tax
    proposed: Decimal
    #: the order's total with the approved charges
    total_with_charges: Decimal


def sums(order: SalesOrder, charges: list[OrderCharge]) -> ChargeSums:
    approved = sum((c.total for c in charges if c.status in (ChargeStatus.approved, ChargeStatus.invoiced)),
                   Decimal("0.00"))
    proposed = sum((c.total for c in charges if c.status == ChargeStatus.proposed), Decimal("0.00"))
    return ChargeSums(approved, proposed, (order.total or Decimal(0)) + approved)


def find(order: SalesOrder, charge_id: int) -> OrderCharge | None:
    """A charge of `order` (already scoped to the customer's company) the customer may see, or None (404)."""
    if not shown_to_customer(order.company):
        return None
    return db.session.execute(select(OrderCharge).where(OrderCharge.id == charge_id,
                                                        OrderCharge.order_id == order.id)).scalar_one_or_none()


def decide(charge: OrderCharge, approve: bool, comment: str, *, by: Actor) -> OrderCharge:
    """The customer approves or rejects one proposed charge (found with `find`). Refused when it is
    decided already (a second submit, a colleague first) or a rejection has no comment."""
    order = charge.order
    # of two decisions at once (a double click, two colleagues) the second waits here, then sees the first
    _lock(order)
    db.session.execute(select(OrderCharge).where(OrderCharge.id == charge.id)
                       .execution_options(populate_existing=True)).scalar_one()
    if charge.status != ChargeStatus.proposed:
        raise ChargeError(_("This charge was already %(decision)s. Nothing was changed.",
                            decision=_("approved") if charge.status != ChargeStatus.rejected else _("rejected")))
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ChargeError(_("Keep the comment under %(count)s characters.", count=MAX_COMMENT), field="comment")
    if not approve and not comment:
        raise ChargeError(_("Say why you reject this charge: we read your comment."), field="comment")
    charge.status = ChargeStatus.approved if approve else ChargeStatus.rejected
    charge.customer_comment = comment
    charge.decided_by_id = by.user_id
    charge.decided_dt = utcnow()
    db.session.flush()
    verb = "approved" if approve else "rejected"
    audit.record(f"charge.{verb}", charge, company_id=order.company_id, actor=by, order=order.number,
                 comment=comment[:200])
    who = by.user.name if by.user is not None else "The customer"
    summary = f"{who} {verb} the charge \"{charge.description}\" ({money(charge.total, order.currency)}) " \
              f"on order {order.number}." + (f" Comment: {comment}" if comment else "")
    staff_notices.notify(f"charge_{verb}", summary, company=order.company, contact=by.user,
                         link=mailer.external_url("admin_order_charge.details_view", id=charge.id))
    return charge


def _lock(order: SalesOrder) -> None:
    """Hold the order row until commit: PostgreSQL locks the row, SQLite takes the write lock. Deciding and
    billing the order's charges wait for each other and then read what the other committed."""
    db.session.execute(update(SalesOrder).where(SalesOrder.id == order.id).values(id=SalesOrder.id)
                       .execution_options(synchronize_session=False))


# --- billing ------------------------------------------------------------------------------------------------

def bill(invoice: Invoice) -> tuple[list[OrderCharge], list[OrderCharge]]:
    """A new invoice for an order: its billable charges not yet invoiced become lines of it, marked
    invoiced (the order locked against a second invoice at the same moment). Returns (billed, still waiting for
    the customer)."""
    order = invoice.order
    if order is None:
        return [], []
    company = order.company
    _lock(order)  # a second invoice (or a decision) at the same moment waits, then reads what this one did
    charges = list(db.session.execute(
        select(OrderCharge).where(OrderCharge.order_id == order.id, OrderCharge.invoice_id.is_(None),
                                  OrderCharge.status.in_((ChargeStatus.proposed, ChargeStatus.approved)))
        .order_by(OrderCharge.id).execution_options(populate_existing=True)).scalars())
    billed, waiting = [], []
    for charge in charges:
        if not counts_as_approved(charge, company):
            waiting.append(charge)
            continue
        invoice.lines.append(InvoiceLine(description=f"{KIND_LABELS[ChargeKind(charge.kind)]}: {charge.description}",
                                         quantity=Decimal(1), unit_price=charge.amount, tax_rate=charge.tax_rate,
                                         discount_percent=Decimal(0)))
        charge.status = ChargeStatus.invoiced
        charge.invoice = invoice
        billed.append(charge)
    return billed, waiting


def release(invoice: Invoice) -> None:
    """The invoice is deleted: its charges are billable again (approved, or proposed when internal)."""
    for charge in db.session.execute(select(OrderCharge).where(OrderCharge.invoice_id == invoice.id)).scalars():
        charge.status = ChargeStatus.approved if charge.decided_dt is not None else ChargeStatus.proposed
        charge.invoice_id = None
