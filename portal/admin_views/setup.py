"""Builds the Flask-Admin instance with every staff screen, served offline, staff only."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import flask_admin
from flask import Flask, current_app, request
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

from portal import content_security
from portal.admin_views import (
    accounts,
    catalog,
    companies,
    company_activity,
    imports,
    invitations,
    logs,
    mail_notices,
    messaging,
    notifications,
    reps,
)
from portal.admin_views.base import refuse, staff_only
from portal.admin_views.index import StaffIndexView
from portal.admin_views.settings_view import PortalSettingsView
from portal.features import FeatureRegistry

log = logging.getLogger(__name__)

#: menu order of the categories (a feature's own category goes after these)
CATEGORIES = ("Customers", "Catalog", "Sales", "Finance", "Fulfilment", "Purchasing", "Service", "Settings", "Logs")
#: the core's screens; the others come from the features that declare them (Feature.admin_views)
DOMAIN_MODULES = (companies, company_activity, accounts, invitations, reps, catalog, messaging, logs, notifications,
                  imports)
_REMOTE_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*(?:https?:)?//""", re.IGNORECASE)


def offline_swatch(name: str | None) -> str:
    """The Bootswatch theme if its CSS loads nothing from the internet (several import Google Fonts)."""
    name = name or "default"
    css = Path(flask_admin.__file__).parent / "static/bootstrap/bootstrap4/swatch" / name / "bootstrap.min.css"
    if not css.is_file():
        log.warning("Unknown Flask-Admin swatch %r; using the default theme", name)
        return "default"
    if _REMOTE_URL.search(css.read_text(encoding="utf-8", errors="replace")):
        log.warning("Swatch %r loads fonts from the internet; using the default theme (the portal works offline)",
                    name)
        return "default"
    return name


def all_views(registry: FeatureRegistry) -> list:
    """The core's screens and every feature's, sorted by menu category (stable within one).

    A feature's screens carry its key: hidden from the menu and 404 while it is off.
    """
    views = [PortalSettingsView()]
    for module in DOMAIN_MODULES:
        views.extend(module.views())
    for feature in registry:
        for view in (feature.admin_views() if feature.admin_views else ()):
            if not feature.always_on:
                view.feature_key = feature.key
                registry.claim_blueprint(view.endpoint, feature.key)
            views.append(view)
    order = {name: i for i, name in enumerate(CATEGORIES)}
    return sorted(views, key=lambda v: order.get(v.category, len(order)))


def build_admin(app: Flask) -> Admin:
    theme = Bootstrap4Theme(base_template="admin/portal_base.html", fluid=True,
                            swatch=offline_swatch(app.config.get("FLASK_ADMIN_SWATCH")))
    _reach_flask_admin_templates(app, theme.folder)
    admin = Admin(app, name="Back office", index_view=StaffIndexView(name="Home", url="/admin"), theme=theme,
                  csp_nonce_generator=content_security.nonce)
    for view in all_views(app.extensions["portal_features"]):
        admin.add_view(view)
    app.extensions["portal_admin"] = admin
    app.extensions["portal_admin_blueprints"] = {view.endpoint for view in admin._views}
    app.before_request(_staff_gate)
    mail_notices.init_app(app)
    notifications.init_app(app)
    return admin


def _reach_flask_admin_templates(app: Flask, folder: str) -> None:
    """Flask-Admin's own templates also as ``flask_admin_theme/...``, so a portal template that overrides
    one (portal/templates/admin/...) can import the original and change only what it must."""
    original = FileSystemLoader(str(Path(flask_admin.__file__).parent / "templates" / folder))
    app.jinja_loader = ChoiceLoader([app.jinja_loader, PrefixLoader({"flask_admin_theme": original})])


def _staff_gate():
    """Belt and braces for every admin URL, including views added later that forget StaffAccess."""
    is_asset = (request.endpoint or "").endswith(".static")
    if request.blueprint in current_app.extensions["portal_admin_blueprints"] and not is_asset and not staff_only():
        return refuse()
    return None
