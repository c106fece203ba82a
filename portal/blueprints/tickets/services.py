"""What a ticket page shows: the documents a ticket may be about and the link back to one."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext
from sqlalchemy import select

from portal import settings
from portal.blueprints.quotations.services import visible_quotes
from portal.extensions import db
from portal.i18n import N_
from portal.models import Invoice, Quote, SalesOrder, Shipment
from portal.permissions import can, scoped

#: regarding kind -> (model, feature, permission, label with the document's number, endpoint, URL argument)
DOCUMENTS = {
    "sales_order": (SalesOrder, "orders", "orders.view", N_("Order %(number)s"), "orders.detail", "order_id"),
    "invoice": (Invoice, "invoices", "invoices.view", N_("Invoice %(number)s"), "invoices.detail", "invoice_id"),
    "shipment": (Shipment, "shipments", "shipments.view", N_("Shipment %(number)s"), "shipments.detail",
                 "shipment_id"),
    "quote": (Quote, "quotations", "quotes.view", N_("Quote %(number)s"), "quotations.detail", "quote_id"),
}
PER_KIND = 50


def _offered(kind: str) -> bool:
    _, feature, permission, *_ = DOCUMENTS[kind]
    return settings.is_enabled(feature) and can(permission)


def regarding_choices() -> list[tuple[str, str]]:
    """("", "Nothing in particular") and the acting company's latest documents the user may open."""
    choices = [("", gettext("Nothing in particular"))]
    for kind, (model, _, _, label, _, _) in DOCUMENTS.items():
        if not _offered(kind):
            continue
        query = scoped(select(model), model)
        query = visible_quotes(query) if model is Quote else query.order_by(model.id.desc())
        for doc in db.session.execute(query.limit(PER_KIND)).scalars():
            if doc.number:
                choices.append((f"{kind}:{doc.id}", gettext(label, number=doc.number)))
    return choices


def regarding_link(regarding: str | None) -> tuple[str, str | None] | None:
    """(label, URL or None) of the document a ticket is about, when it is still the acting company's."""
    kind, _, ident = (regarding or "").partition(":")
    if kind not in DOCUMENTS or not ident.isdigit():
        return None
    model, _, _, label, endpoint, arg = DOCUMENTS[kind]
    doc = db.session.execute(scoped(select(model), model).where(model.id == int(ident))).scalar_one_or_none()
    if doc is None:
        return None
    return gettext(label, number=doc.number), url_for(endpoint, **{arg: doc.id}) if _offered(kind) else None
