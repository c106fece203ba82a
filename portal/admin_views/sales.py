"""Selling: quotes (sections, lines, conversation) and sales orders."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from flask_admin.model.template import EndpointLinkRowAction
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select

from portal.admin_views.base import LINE_COLUMNS, StaffModelView, line_inline, obey
from portal.admin_views.documents import DocumentAdmin
from portal.admin_views.filters import company_filter
from portal.admin_views.order_charges import OrderChargeAdmin
from portal.admin_views.quote_builder import QuoteBuilderScreen
from portal.admin_views.quote_conversation import QuoteConversation
from portal.admin_views.quote_engagement import QuoteEngagementView
from portal.admin_views.quote_sharing import QuoteSharing
from portal.extensions import db
from portal.models import (
    OrderCharge,
    Quote,
    QuoteMessage,
    QuoteStatus,
    SalesOrder,
    SalesOrderLine,
    User,
    UserKind,
)
from portal.models.base import utcnow
from portal.permissions import current_actor
from portal.services import approvals, customer_notices, documents, quote_answers
from portal.services.numbering import next_number

SALES = "Sales"


def portal_users():
    query = select(User).where(User.kind.in_((UserKind.contact, UserKind.rep))).order_by(User.name)
    return db.session.execute(query).scalars()


def excerpt(view, context, model, name):
    text = getattr(model, name) or ""
    return text if len(text) <= 80 else text[:79] + "…"


class QuoteAdmin(QuoteBuilderScreen, QuoteSharing, QuoteConversation, DocumentAdmin):
    """The quote list (filters, delete) and each quote's record page: status, share links, engagement and
    conversation. Its content (header, sections, lines) is written in the builder (quote_builder), which
    is also the create page."""

    edit_template = "admin/quote_edit.html"
    column_list = ("number", "company", "title", "status", "valid_until", "total", "created_dt")
    column_searchable_list = ("number", "title", "company.name", "accepted_name")
    column_filters = (company_filter(Quote.company_id, suppliers=False), "status", "valid_until", "created_dt",
                      "accepted_dt")
    readonly_columns = (*DocumentAdmin.readonly_columns, "issued_dt", "accepted_name", "accepted_dt")
    column_labels = {"issued_dt": "Sent", "accepted_name": "Accepted by (typed name)", "accepted_dt": "Accepted"}
    column_details_exclude_list = ("signature_hash",)
    form_columns = ("status",)
    column_extra_row_actions = [EndpointLinkRowAction("fa fa-th-list", ".builder", title="Open the quote builder")]

    def on_model_change(self, form, model, is_created):
        if model.status != QuoteStatus.requested and not model.number:
            model.number = next_number("quote")  # a request gets its number once staff price it
        if model.status == QuoteStatus.sent and model.issued_dt is None:
            model.issued_dt = utcnow()
        super().on_model_change(form, model, is_created)


class QuoteMessageAdmin(StaffModelView):
    """The change-request conversation of quotes; staff replies are added here."""

    can_edit = False
    column_list = ("quote", "author_name", "from_staff", "body", "created_dt")
    column_searchable_list = ("body", "author_name", "quote.number")
    column_filters = ("from_staff", "created_dt")
    column_formatters = {"body": excerpt}
    column_labels = {"author_name": "From", "from_staff": "Staff reply"}
    form_columns = ("quote", "body")
    form_args = {"body": {"label": "Reply"}}

    def on_model_change(self, form, model, is_created):
        if is_created:
            model.author_id = current_user.id
            model.author_name = current_user.name
            model.from_staff = True
        super().on_model_change(form, model, is_created)

    def after_model_change(self, form, model, is_created):
        if is_created:  # a reply written here reaches the client like one from the quote screen
            quote_answers.email_reply(model.quote, model.body, by=current_actor())
            db.session.commit()


def _placed_by(view, context, model, name):
    user = model.placed_by
    if user is None:
        return ""
    label = escape(user.name)
    if model.acting_rep is None:
        return label
    if model.acting_rep_id == model.placed_by_id:
        return Markup(f"{label} <small>(sales rep)</small>")
    return Markup(f"{label} <small>(via rep {escape(model.acting_rep.name)})</small>")


class SalesOrderAdmin(DocumentAdmin):
    column_list = ("number", "company", "status", "placed_by", "customer_reference", "total", "placed_dt")
    column_searchable_list = ("number", "customer_reference", "company.name")
    column_filters = (company_filter(SalesOrder.company_id, suppliers=False), "status", "placed_dt",
                      "requested_delivery_date")
    column_formatters = {"placed_by": _placed_by}
    column_labels = {"placed_dt": "Placed", "customer_reference": "Customer ref."}
    readonly_columns = (*DocumentAdmin.readonly_columns, "placed_dt")
    form_columns = ("company", "status", "placed_by", "customer_reference", "shipping_address", "notes",
                    "requested_delivery_date")
    form_args = {"placed_by": {"query_factory": portal_users}}
    inline_models = (line_inline(SalesOrderLine, form_columns=("id", *LINE_COLUMNS, "quantity_shipped")),)
    column_extra_row_actions = [EndpointLinkRowAction("fa fa-plus-square", "admin_order_charge.for_order",
                                                      title="Extra charges")]

    def on_model_change(self, form, model, is_created):
        with obey(form):
            documents.same_company(model)
        before = None if is_created or not hasattr(form, "status") else form.status.object_data
        if not is_created and hasattr(form, "status"):
            approvals.staff_set_status(model, before)
        super().on_model_change(form, model, is_created)
        customer_notices.order_status_changed(model, before)


def quote_views():
    """Declared by the quotations feature."""
    return [
        QuoteAdmin(Quote, "Quotes", SALES),
        QuoteMessageAdmin(QuoteMessage, "Quote messages", SALES),
        QuoteEngagementView("Quote engagement", SALES),
    ]


def order_views():
    """Declared by the orders feature."""
    return [SalesOrderAdmin(SalesOrder, "Sales orders", SALES),
            OrderChargeAdmin(OrderCharge, "Order charges", SALES)]

