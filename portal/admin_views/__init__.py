"""The staff back office (Flask-Admin): one module per domain, the settings screen, the home page."""
from flask import Flask


def init_admin(app: Flask) -> None:
    from portal.admin_views.setup import build_admin

    build_admin(app)
