"""The "Portal settings" screen: features, guest access, prices, stock, branding — every declared setting."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose

from portal import settings
from portal.admin_views import settings_notices
from portal.admin_views.base import StaffAccess
from portal.admin_views.settings_form import (
    LOGO_KEY,
    LOGO_REMOVE,
    LOGO_UPLOAD,
    build_groups,
    read_values,
    saved_message,
    side_effects,
    validate,
)
from portal.extensions import db
from portal.permissions import current_actor
from portal.services import audit, portal_address, uploads


def current_values() -> dict:
    """Stored values, with each feature shown as it is in effect (off when something it needs is off)."""
    effective = {f"features.{key}": on for key, on in settings.enabled_features().items()}
    return {**settings.all_values(), **effective}


class PortalSettingsView(StaffAccess, BaseView):
    """Edits portal.settings; a saved value is read by the next request of every worker."""

    def __init__(self, name: str = "Portal settings", category: str = "Settings"):
        super().__init__(name=name, category=category, endpoint="admin_settings", url="settings")

    @expose("/", methods=("GET", "POST"))
    def index(self):
        if request.method == "POST":
            return self._save()
        return self._render(current_values(), settings_notices.current(), {})

    @expose("/test-address/", methods=("POST",))
    def test_address(self):
        """"Test" beside the portal address: does the typed address (saved or not) reach this portal?

        Nothing is saved; the form comes back as it was typed, with the outcome above it.
        """
        values = {**current_values(), **read_values(request.form)}
        notices = settings_notices.read(request.form)
        typed = values.get(portal_address.DOMAIN_KEY, "")
        try:
            base = settings.coerce(portal_address.DOMAIN_KEY, typed) or portal_address.configured_base()
        except ValueError as exc:
            label = settings.specs()[portal_address.DOMAIN_KEY].label
            return self._render(values, notices, {portal_address.DOMAIN_KEY: f"{label} {exc}"})
        if not base:
            flash("Enter the portal address to test, e.g. https://portal.example.com.", "error")
        else:
            result = portal_address.probe(base)
            unsaved = base != portal_address.configured_base()
            note = " Not saved yet: press Save settings to use it." if unsaved else ""
            flash(result.message + note, "success" if result.reaches_this_instance else "error")
        return self._render(values, notices, {})

    def _render(self, values: dict, notices: dict, errors: dict, status: int = 200):
        return self.render("admin/settings.html", groups=build_groups(values, errors), errors=errors,
                           notices=settings_notices.rows(notices, errors), notice_choices=settings_notices.choices(),
                           logo_key=LOGO_KEY, logo_upload=LOGO_UPLOAD, logo_remove=LOGO_REMOVE), status

    def _save(self):
        values = read_values(request.form)
        notices = settings_notices.read(request.form)
        errors = {**validate(values), **settings_notices.validate(notices)}
        upload = request.files.get(LOGO_UPLOAD)
        if not errors:
            if upload is not None and upload.filename:
                try:
                    values[LOGO_KEY] = uploads.store(upload, kind="image")
                except uploads.UploadError as exc:
                    errors[LOGO_UPLOAD] = f"Logo {exc}"
            elif LOGO_REMOVE in request.form:
                values[LOGO_KEY] = ""
        elif upload is not None and upload.filename:
            errors.setdefault(LOGO_UPLOAD, "Logo not uploaded: correct the other errors and choose the file again.")
        if not errors:
            try:
                stored = settings.save(values, commit=False)
            except settings.SettingsError as exc:
                db.session.rollback()
                errors = exc.errors
            else:
                on, off = side_effects(values, stored)
                routes = settings_notices.save(notices)
                audit.record("settings.save", None, actor=current_actor(), keys=",".join(sorted(stored)),
                             notifications=",".join(routes))
                db.session.commit()
                flash(saved_message(on, off), "success")
                return redirect(url_for(".index"))
        flash("Settings not saved: correct the marked fields. Nothing was changed.", "error")
        shown = {**current_values(), **values}
        return self._render(shown, notices, errors)
