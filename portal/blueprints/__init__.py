"""The built-in portal features, listed explicitly (plugins come from entry points).

Adding a feature: create its package here (``__init__.py`` exporting ``feature``, views, forms,
services, templates) and add it to BUILTIN_FEATURES — nothing else in the core changes.
"""
from portal.blueprints.core import feature as core
from portal.blueprints.guest_catalog import feature as guest_catalog
from portal.blueprints.invoices import feature as invoices
from portal.blueprints.orders import feature as orders
from portal.blueprints.purchase_lists import feature as purchase_lists
from portal.blueprints.quotations import feature as quotations
from portal.blueprints.returns import feature as returns
from portal.blueprints.shipments import feature as shipments
from portal.blueprints.shop import feature as shop
from portal.blueprints.supplier import feature as supplier
from portal.blueprints.tickets import feature as tickets

#: the core first, then the features in the order their nav entries and dashboard blocks appear
BUILTIN_FEATURES = [core, shop, guest_catalog, purchase_lists, quotations, orders, shipments, returns, invoices,
                    tickets, supplier]
