"""The branded PDFs of a purchase order and a supplier bill, through the one renderer (portal.services.pdf).
The caller checks who may see the document."""
from __future__ import annotations

from portal.blueprints.supplier import services
from portal.models import PurchaseOrder, SupplierBill
from portal.services import pdf
from portal.services.totals import tax_by_rate


def purchase_order_pdf(order: PurchaseOrder) -> bytes:
    lines = sorted(order.lines, key=lambda line: (line.position, line.id or 0))
    return pdf.render("purchase_order", order=order, lines=lines, taxes=tax_by_rate(lines))


def supplier_bill_pdf(bill: SupplierBill) -> bytes:
    order = bill.purchase_order
    shown_order = order if order is not None and order.status not in services.HIDDEN_PURCHASE_ORDER else None
    return pdf.render("supplier_bill", bill=bill, order=shown_order, balance_due=services.balance_due(bill))
