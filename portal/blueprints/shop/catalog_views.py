"""Catalog pages (skeleton: replaced by the catalog work)."""
from flask import render_template

from portal.blueprints.shop import bp
from portal.permissions import require_permission


@bp.get("/")
@require_permission("shop.browse")
def index():
    return render_template("shop/index.html")
