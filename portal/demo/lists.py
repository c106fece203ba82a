"""Demo purchase lists: Acme Hardware's project list (private), a monthly list shared with the team, and a
colleague's list the team may change — built from the products Acme really ordered, so "Frequently
ordered" and the lists tell the same story. No random draws: the other demo data stays as it was."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from portal.demo.world import DemoWorld
from portal.extensions import db
from portal.models import ListSharing, PurchaseList, PurchaseListItem, SalesOrder, SalesOrderLine

ACME = "C-1001"
LISTS = (
    # (name, sharing, owner: index into the customer's contacts or "buyer", (product index, quantity, note) ...)
    ("Harbour office refit", ListSharing.private, "buyer",
     ((0, "40", "Ground floor"), (1, "12", ""), (2, "6", "Check the finish with the architect"))),
    ("Monthly consumables", ListSharing.read, "buyer", ((3, "100", ""), (4, "25", ""), (0, "10", ""))),
    ("Workshop restock", ListSharing.edit, 1, ((2, "4", ""), (5, "10", "Only the long ones"))),
)


def seed_lists(world: DemoWorld) -> None:
    customer = next(c for c in world.customers if c.company.code == ACME)
    products = list(db.session.execute(
        select(SalesOrderLine.product_id).join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
        .where(SalesOrder.company_id == customer.company.id, SalesOrderLine.product_id.is_not(None))
        .group_by(SalesOrderLine.product_id).order_by(SalesOrderLine.product_id)).scalars())
    for name, sharing, owner, lines in LISTS:
        person = customer.buyer if owner == "buyer" else customer.contacts[owner % len(customer.contacts)]
        plist = PurchaseList(company_id=customer.company.id, owner_id=person.id, name=name, sharing=sharing)
        seen = set()
        for position, (index, quantity, note) in enumerate(lines, start=1):
            product_id = products[index % len(products)]
            if product_id in seen:
                continue
            seen.add(product_id)
            plist.items.append(PurchaseListItem(product_id=product_id, quantity=Decimal(quantity), note=note,
                                                position=position))
        db.session.add(plist)
    db.session.flush()
