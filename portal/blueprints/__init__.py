"""The built-in portal features, listed explicitly (plugins come from entry points)."""
from portal.blueprints.invoices import feature as invoices
from portal.blueprints.orders import feature as orders
from portal.blueprints.quotations import feature as quotations
from portal.blueprints.shipments import feature as shipments
from portal.blueprints.supplier import feature as supplier

#: in the order their nav entries appear
BUILTIN_FEATURES = [quotations, orders, shipments, invoices, supplier]
