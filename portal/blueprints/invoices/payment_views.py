"""Pay Now: review the invoices to pay and the amounts, choose how, and the payment request's page."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import RadioField

from portal.blueprints.invoices import bp
from portal.extensions import db
from portal.forms import PortalForm
from portal.i18n import N_
from portal.i18n import lazy_text as _l
from portal.models import PaymentRequest, PaymentRequestItem, PaymentRequestStatus
from portal.permissions import acting, current_actor, require_permission, scoped
from portal.routing import parse_id
from portal.services import payment_providers, payment_requests, portal_address, receivables
from portal.services.payment_providers import bank_transfer
from portal.services.payment_requests import PayError, Share
from portal.web import status_label

NO_PROVIDER = N_("Paying online is not set up yet. Please pay by the means on your invoice.")


class PayForm(PortalForm):
    provider = RadioField(_l("Pay by"), choices=(), validate_choice=True)


def _pay_form() -> PayForm:
    form = PayForm()
    form.provider.choices = [(p.key, _(p.label)) for p in payment_providers.available()]
    if not form.provider.data and form.provider.choices:
        form.provider.data = form.provider.choices[0][0]
    return form


def _chosen_invoices(values: list[str]):
    """The acting company's invoices asked for; another company's (or no such) invoice is a 404."""
    ids = [parse_id(v) for v in values]
    if any(i is None for i in ids):
        abort(404)
    invoices = payment_requests.payable_invoices(acting().company, ids)
    if len(invoices) != len(set(ids[:payment_requests.MAX_INVOICES])):
        abort(404)
    return invoices


def _review(form: PayForm, shares: list[Share], typed: dict[int, str] | None = None):
    return render_template("invoices/pay.html", form=form, shares=shares, typed=typed or {},
                           currency=shares[0].invoice.currency if shares else acting().company.currency,
                           total=sum((s.amount or 0 for s in shares), 0), no_provider=_(NO_PROVIDER))


@bp.route("/pay", methods=["GET"])
@require_permission("invoices.pay")
def pay():
    """The review page: the chosen open invoices, each at its full balance due (editable down)."""
    invoices = _chosen_invoices(request.args.getlist("invoice"))
    settled = [inv.number for inv in invoices if not receivables.is_open(inv) or inv.balance_due <= 0]
    if settled:
        flash(_("Nothing is owed on %(numbers)s: left out.", numbers=", ".join(settled)), "info")
    shares = [Share(inv, inv.balance_due) for inv in invoices if inv.number not in settled]
    try:
        if shares:
            payment_requests.check_shares(acting().company, shares)
    except PayError as exc:
        flash(str(exc), "error")
    return _review(_pay_form(), shares)


@bp.route("/pay", methods=["POST"])
@require_permission("invoices.pay")
def start_payment():
    """Create the payment request and send the customer on: to the provider's page or the request's page."""
    invoices = _chosen_invoices(request.form.getlist("invoice"))
    typed = {inv.id: request.form.get(f"amount-{inv.id}", "") for inv in invoices}
    shares = [Share(inv, payment_requests.parse_amount(typed[inv.id])) for inv in invoices]
    form = _pay_form()

    def again(message: str):
        db.session.rollback()
        flash(message, "error")
        return _review(form, shares, typed)

    if not form.validate_on_submit():
        return again(_(NO_PROVIDER) if not form.provider.choices else
                     " ".join(str(e) for errors in form.errors.values() for e in errors) or _("Please try again."))
    provider = payment_providers.get(form.provider.data)
    try:
        payment_request = payment_requests.create(acting().company, shares, provider.key, by=current_actor())
        base = portal_address.configured_base() or request.host_url.rstrip("/")
        page = base + url_for(".payment_request", payment_request_id=payment_request.id)
        started = provider.start(payment_request, payment_providers.ReturnUrls(
            success=page + "?checkout=done", cancel=page + "?checkout=cancelled"))
    except (PayError, payment_providers.ProviderError) as exc:
        return again(str(exc))
    db.session.commit()
    return redirect(started.redirect_url or url_for(".payment_request", payment_request_id=payment_request.id))


def _own_request(payment_request_id: int) -> PaymentRequest:
    return db.one_or_404(
        scoped(select(PaymentRequest), PaymentRequest).where(PaymentRequest.id == payment_request_id)
        .options(selectinload(PaymentRequest.items).joinedload(PaymentRequestItem.invoice)))


@bp.route("/payments/<int:payment_request_id>")
@require_permission("invoices.pay")
def payment_request(payment_request_id: int):
    """A payment request: what it pays, its status, and for a bank transfer the account and reference."""
    payment = _own_request(payment_request_id)
    return render_template("invoices/payment_request.html", payment=payment, cancel_form=PortalForm(),
                           bank=bank_transfer.bank_details() if payment.provider == bank_transfer.PROVIDER.key
                           else None, checkout=request.args.get("checkout"))


@bp.route("/payments/<int:payment_request_id>/cancel", methods=["POST"])
@require_permission("invoices.pay")
def cancel_payment(payment_request_id: int):
    """The customer will not transfer the money after all: the bank transfer request is cancelled (if pending)."""
    payment = _own_request(payment_request_id)
    if not PortalForm().validate_on_submit():
        flash(_("Nothing was cancelled: reload the page and try again."), "error")
    elif payment.provider != bank_transfer.PROVIDER.key:
        # a card checkout may still be paid in another tab: it ends by itself (paid or expired at Stripe)
        flash(_("A card payment cannot be cancelled here; if you did not pay it, it expires by itself."), "info")
    elif payment_requests.close(payment, PaymentRequestStatus.cancelled, by=current_actor()):
        db.session.commit()
        flash(_("Payment %(reference)s cancelled. Please do not transfer the money for it.",
                reference=payment.reference), "success")
    else:
        db.session.rollback()
        flash(_("Payment %(reference)s is %(status)s already: nothing changed.", reference=payment.reference,
                status=status_label(payment.status).lower()), "info")
    return redirect(url_for(".payment_request", payment_request_id=payment.id))
