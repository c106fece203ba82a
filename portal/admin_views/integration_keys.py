"""Integration keys (Fulfilment → Integration keys): staff make a key for a carrier or warehouse system,
copy it from the page shown once after saving (never from a cookie or a later page), and revoke it when it
leaks or is no longer used."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from flask import flash, g
from flask_admin import expose
from flask_admin.actions import action
from flask_login import current_user
from sqlalchemy import select
from wtforms.validators import InputRequired, Length

from portal.admin_views.base import StaffModelView, selected_ids
from portal.extensions import db
from portal.models import IntegrationKey
from portal.permissions import current_actor
from portal.services import audit, integration_keys


class IntegrationKeyAdmin(StaffModelView):
    can_edit = False
    can_delete = False  # revoked keys stay listed: the tracking events they posted name them
    can_export = False
    column_list = ("name", "prefix", "created_dt", "created_by", "last_used_dt", "revoked_dt")
    column_searchable_list = ("name", "prefix")
    column_filters = ("revoked_dt", "last_used_dt")
    column_labels = {"prefix": "Key starts with", "last_used_dt": "Last used", "revoked_dt": "Revoked",
                     "created_by": "Made by"}
    column_descriptions = {"prefix": "The whole key was shown once, when it was made; the portal keeps only "
                                     "its hash"}
    form_columns = ("name",)
    form_args = {"name": {"label": "Used by", "description": "Who uses the key, e.g. “DHL tracking feed”",
                          "validators": [InputRequired(), Length(max=120)]}}

    def on_model_change(self, form, model, is_created):
        g.integration_key_raw, _ = integration_keys.issue(form.name.data, current_user, key=model)
        super().on_model_change(form, model, is_created)

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        """Flask-Admin's form; once saved, the page with the new key instead of the list."""
        response = super().create_view()
        raw = g.pop("integration_key_raw", None)
        key = db.session.execute(select(IntegrationKey).filter_by(key_hash=integration_keys.hash_key(raw))
                                 ).scalar_one_or_none() if raw else None
        if key is None:
            return response
        return self.render("admin/integration_key_created.html", key=key, raw=raw), 200, {"Cache-Control": "no-store"}

    @action("revoke", "Revoke", "Revoke the selected keys? Integrations using them stop working at once.")
    def action_revoke(self, ids):
        keys = db.session.execute(select(IntegrationKey).where(IntegrationKey.id.in_(selected_ids(ids)))).scalars()
        revoked = [key for key in keys if integration_keys.revoke(key)]
        for key in revoked:
            audit.record("integration_key.revoke", key, actor=current_actor(), screen=self.name)
        db.session.commit()
        flash(f"Revoked {len(revoked)} key(s).", "success")
