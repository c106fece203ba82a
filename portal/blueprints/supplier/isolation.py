"""Objects the supplier pages take, made for one supplier (the tenant-isolation matrix uses these)."""
from __future__ import annotations

from decimal import Decimal

from portal.extensions import db
from portal.models import Company, PurchaseOrder, SupplierBill


def _saved(obj) -> int:
    db.session.add(obj)
    db.session.flush()
    return obj.id


def make_purchase_order(supplier: Company) -> int:
    return _saved(PurchaseOrder(company_id=supplier.id, total=Decimal("500.00")))


def make_bill(supplier: Company) -> int:
    return _saved(SupplierBill(company_id=supplier.id, supplier_reference="S-INV-1", total=Decimal("500.00")))
