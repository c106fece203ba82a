"""Quotations: the offers sent to the company, their sections, lines and conversation."""
from flask import Blueprint

from portal.features import Feature, NavEntry

bp = Blueprint("quotations", __name__)

feature = Feature(
    key="quotations",
    label="Quotations",
    description="Customers see the quotes sent to them and the conversation about each",
    blueprint=bp,
    url_prefix="/quotes",
    nav=(NavEntry("quotations.index", "Quotes", permission="quotes.view"),),
    permissions={"quotes.view": "See the company's quotes and their conversation"},
)

from portal.blueprints.quotations import views  # noqa: F401
