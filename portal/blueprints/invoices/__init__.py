"""Invoices: what the company owes, what it paid (receipts) and what was credited back."""
from flask import Blueprint

from portal.admin_views.finance import views as finance_views
from portal.blueprints.invoices import isolation
from portal.blueprints.invoices.blocks import ageing_summary, outstanding, recent_invoices
from portal.contract import Block, Feature, NavEntry, NumberKind

bp = Blueprint("invoices", __name__)

feature = Feature(
    key="invoices",
    label="Invoices",
    description="Customers see their invoices, balances due, receipts and credit notes",
    summary="see your invoices, receipts and credit notes",
    blueprint=bp,
    url_prefix="/invoices",
    nav=(NavEntry("invoices.index", "Invoices", permission="invoices.view"),),
    permissions={"invoices.view": "See the company's invoices, credit notes and receipts",
                 "invoices.statement": "See the company's statement of account and the ageing of what it owes"},
    grants={"Admin": {"invoices.view", "invoices.statement"}, "Buyer": {"invoices.view"},
            "Viewer": {"invoices.view"}, "Finance": {"invoices.view", "invoices.statement"}},
    admin_views=finance_views,
    dashboard=(Block("invoices/_outstanding.html", outstanding, permission="invoices.view", area="stats"),
               Block("invoices/_recent_invoices.html", recent_invoices, permission="invoices.view"),
               Block("invoices/_ageing.html", ageing_summary, permission="invoices.statement",
                     area="wide")),
    numbers={"invoice": NumberKind("INV"), "payment": NumberKind("RCT"), "credit_note": NumberKind("CN")},
    isolation={"invoice_id": isolation.make_invoice, "credit_note_id": isolation.make_credit_note,
               "payment_id": isolation.make_payment},
)

from portal.blueprints.invoices import receipt_views, statement_views, views  # noqa: F401
