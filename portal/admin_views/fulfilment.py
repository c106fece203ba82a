"""Getting goods to customers: shipments with tracking events (returns: portal.admin_views.returns)."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from wtforms.validators import URL, Optional

from portal.admin_views.base import StaffInline, StaffModelView, obey
from portal.admin_views.filters import company_filter
from portal.models import Shipment, ShipmentEvent, ShipmentStatus
from portal.models.base import utcnow
from portal.services import customer_notices, documents

FULFILMENT = "Fulfilment"


class ShipmentAdmin(StaffModelView):
    readonly_columns = ("number",)
    column_list = ("number", "company", "order", "status", "carrier", "tracking_number", "shipped_dt",
                   "delivered_dt")
    column_searchable_list = ("number", "tracking_number", "carrier", "company.name", "order.number")
    column_filters = (company_filter(Shipment.company_id), "status", "carrier", "shipped_dt", "delivered_dt",
                      "created_dt")
    column_sortable_list = ("number", ("company", "company.name"), "status", "shipped_dt", "delivered_dt")
    column_labels = {"shipped_dt": "Shipped", "delivered_dt": "Delivered", "order": "Sales order"}
    form_columns = ("company", "order", "status", "carrier", "tracking_number", "tracking_url", "shipped_dt",
                    "delivered_dt")
    form_args = {"tracking_url": {"validators": [Optional(), URL(message="Enter a full link (https://…).")]}}
    inline_models = (
        StaffInline(ShipmentEvent, form_columns=("id", "occurred_dt", "status", "location", "description"),
                    form_label="Tracking events"),
    )

    def on_model_change(self, form, model, is_created):
        with obey(form):
            documents.same_company(model)
        now = utcnow()
        if model.status in (ShipmentStatus.shipped, ShipmentStatus.in_transit) and model.shipped_dt is None:
            model.shipped_dt = now
        if model.status == ShipmentStatus.delivered and model.delivered_dt is None:
            model.delivered_dt = now
        for event in model.events:
            if event.occurred_dt is None:
                event.occurred_dt = now
        super().on_model_change(form, model, is_created)
        customer_notices.shipment_status_changed(model, None if is_created else form.status.object_data)


def shipment_views():
    """Declared by the shipments feature."""
    return [ShipmentAdmin(Shipment, "Shipments", FULFILMENT)]

