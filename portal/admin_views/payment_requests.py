"""Customers' Pay Now requests in the back office: staff confirm a bank transfer arrived."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from markupsafe import Markup, escape
from wtforms import DateField, DecimalField
from wtforms.validators import InputRequired

from portal.admin_views.base import ReadOnlyModelView
from portal.admin_views.filters import company_filter
from portal.extensions import db
from portal.forms import PortalForm
from portal.models import PaymentRequest, PaymentRequestStatus
from portal.permissions import current_actor
from portal.routing import parse_id
from portal.services import clock, payment_requests
from portal.services.errors import RuleError
from portal.services.payment_providers import bank_transfer


class ConfirmReceivedForm(PortalForm):
    received_date = DateField("Date received", validators=[InputRequired("Enter the date the money arrived.")])
    amount = DecimalField("Amount received", places=2,
                          validators=[InputRequired("Enter the amount that arrived, e.g. 242.00.")])


def _reference(view, context, model, name):
    text = escape(model.reference)
    if model.status == PaymentRequestStatus.pending and model.provider == bank_transfer.PROVIDER.key:
        link = url_for(".confirm", id=model.id)
        return Markup(f'{text} <a class="btn btn-sm btn-primary" href="{link}">Confirm received</a>')
    return text


class PaymentRequestAdmin(ReadOnlyModelView):
    column_list = ("reference", "company", "provider", "status", "total", "created_dt", "paid_dt")
    column_searchable_list = ("reference", "company.name", "provider_session_id")
    column_filters = (company_filter(PaymentRequest.company_id), "status", "provider", "created_dt")
    column_formatters = {"reference": _reference}
    column_labels = {"paid_dt": "Paid", "provider_session_id": "Provider session"}
    column_details_list = ("reference", "company", "provider", "status", "total", "currency", "created_by",
                           "provider_session_id", "created_dt", "paid_dt", "items")

    def _request_or_404(self) -> PaymentRequest:
        found = db.session.get(PaymentRequest, parse_id(request.args.get("id")) or 0)
        if found is None:
            abort(404)
        return found

    @expose("/confirm/", methods=("GET", "POST"))
    def confirm(self):
        """Confirm a bank transfer arrived: records the payments (receipts) once, marks the request paid."""
        payment = self._request_or_404()
        back = url_for(".index_view")
        if payment.status != PaymentRequestStatus.pending:
            flash(f"{payment.reference} is {payment.status.value} already: nothing recorded.", "info")
            return redirect(back)
        form = ConfirmReceivedForm()
        if request.method == "GET":
            form.received_date.data, form.amount.data = clock.today(), payment.total
        if form.validate_on_submit():
            try:
                done = payment_requests.complete(payment, received=form.received_date.data, amount=form.amount.data,
                                                 method=bank_transfer.PROVIDER.method, by=current_actor())
            except RuleError as exc:
                db.session.rollback()
                flash(str(exc), "error")
                return redirect(url_for(".confirm", id=payment.id))
            if not done:
                db.session.rollback()
                flash(f"{payment.reference} was confirmed already: nothing recorded twice.", "info")
                return redirect(back)
            db.session.commit()
            flash(f"{payment.reference} confirmed: {len(payment.items)} payment(s) recorded, "
                  f"{payment.total} {payment.currency}.", "success")
            return redirect(back)
        if form.errors:
            flash("Nothing was recorded: correct the marked fields.", "error")
        return self.render("admin/payment_request_confirm.html", form=form, payment=payment, return_url=back)
