"""The branding colours as a stylesheet (no inline style needed) and a favicon in those colours."""
from flask import Response, redirect, render_template, url_for

from portal import settings
from portal.blueprints.core import bp
from portal.permissions import public
from portal.web import brand_palette

#: the URL carries the palette's fingerprint, so a colour change is a new URL
CACHE_FOR = 60 * 60 * 24 * 365


@bp.route("/brand.css")
@public
def brand_css():
    css = ":root { " + " ".join(f"--{name}: {value};" for name, value in brand_palette().items()) + " }\n"
    response = Response(css, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_FOR
    return response


@bp.route("/favicon.svg")
@public
def favicon():
    name = (settings.get("branding.business_name") or "P").strip() or "P"
    svg = render_template("core/favicon.svg", colors=brand_palette(), initial=name[0].upper())
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.cache_control.max_age = 300
    return response


@bp.route("/favicon.ico")
@public
def favicon_ico():
    """Browsers and crawlers ask for /favicon.ico whatever the page says."""
    return redirect(url_for("core.favicon"))
