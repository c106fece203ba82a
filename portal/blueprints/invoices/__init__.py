"""Invoices: what the company owes, what it paid (receipts) and what was credited back."""
from flask import Blueprint

from portal.features import Feature, NavEntry

bp = Blueprint("invoices", __name__)

feature = Feature(
    key="invoices",
    label="Invoices",
    description="Customers see their invoices, balances due, receipts and credit notes",
    blueprint=bp,
    url_prefix="/invoices",
    nav=(NavEntry("invoices.index", "Invoices", permission="invoices.view"),),
    permissions={"invoices.view": "See the company's invoices, credit notes and receipts"},
)

from portal.blueprints.invoices import views  # noqa: F401
