"""Getting goods to customers: shipments with tracking events (returns: portal.admin_views.returns)."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from sqlalchemy import inspect
from wtforms import SelectField
from wtforms.validators import URL, Optional, ValidationError

from portal.admin_views.base import StaffInline, StaffModelView, obey
from portal.admin_views.filters import company_filter
from portal.admin_views.integration_keys import IntegrationKeyAdmin
from portal.models import IntegrationKey, Shipment, ShipmentEvent
from portal.models.base import utcnow
from portal.services import customer_notices, documents, shipment_tracking
from portal.web import status_label

FULFILMENT = "Fulfilment"


class TrackingStatusField(SelectField):
    """A tracking event's status: one of the codes, in words. An older event's typed text is kept as it is."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.pop("choices", None)
        super().__init__(label, validators, validate_choice=False,
                         choices=[(code, status_label(code)) for code in shipment_tracking.STATUSES], **kwargs)

    def process(self, formdata, data=None, **kwargs):
        super().process(formdata, data, **kwargs)
        if self.object_data and self.object_data not in shipment_tracking.STATUSES:
            self.choices = [(self.object_data, self.object_data), *self.choices]

    def pre_validate(self, form):
        if self.data not in shipment_tracking.STATUSES and (not self.data or self.data != self.object_data):
            raise ValidationError("Choose a status.")


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
                    form_overrides={"status": TrackingStatusField},
                    form_args={"occurred_dt": {"label": "When (UTC)"}, "description": {"label": "Note"}},
                    form_label="Tracking events"),
    )

    def on_model_change(self, form, model, is_created):
        with obey(form):
            documents.same_company(model)
        now = utcnow()
        added = False
        for event in model.events:
            added = added or inspect(event).pending or inspect(event).transient
            if event.occurred_dt is None:
                event.occurred_dt = now
        if added:  # a new tracking event moves the shipment on, as one from an integration does
            shipment_tracking.follow_latest(model)
        shipment_tracking.stamp_times(model, now)
        super().on_model_change(form, model, is_created)
        customer_notices.shipment_status_changed(model, None if is_created else form.status.object_data)


def shipment_views():
    """Declared by the shipments feature."""
    return [ShipmentAdmin(Shipment, "Shipments", FULFILMENT),
            IntegrationKeyAdmin(IntegrationKey, "Integration keys", FULFILMENT)]

