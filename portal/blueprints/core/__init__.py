"""Always-on pages: sign in and out, dashboard, company switching, rep customer picker."""
from flask import Blueprint

bp = Blueprint("core", __name__)

from portal.blueprints.core import access, account, auth, company_users, dashboard, health  # noqa: F401
