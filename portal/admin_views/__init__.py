"""The staff back office (Flask-Admin): one module per domain, the settings screen, the home page.

``portal.admin_views.setup.build_admin`` builds it; features add their own screens (Feature.admin_views).
"""
