"""The guest catalog's own page (how to get an account) and the visitor's home page."""
from flask import redirect, render_template, request, url_for

from portal.blueprints.guest_catalog import bp
from portal.blueprints.guest_catalog.services import is_guest_visit
from portal.permissions import public


@bp.get("/access")
@public
def request_access():
    return render_template("guest_catalog/request_access.html")


@bp.before_app_request
def visitors_start_in_the_catalog():
    """While the guest catalog is on, a visitor's home page (/) is the catalog, not the sign-in form."""
    if request.endpoint == "core.home" and is_guest_visit():
        return redirect(url_for("shop.index"))
    return None
