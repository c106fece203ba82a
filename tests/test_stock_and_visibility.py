"""Stock display as seed 000 describes it, and who sees which product (services, no HTTP)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.models import Product, ProductVisibility, StockLevel
from portal.services.stock_display import note_for
from portal.services.visibility import Viewer, visible

D = Decimal
SOON = date(2026, 7, 1)


def stock(on_hand="0", reserved="0", incoming="0", incoming_date=None):
    return StockLevel(on_hand=D(on_hand), reserved=D(reserved), incoming=D(incoming), incoming_date=incoming_date)


@pytest.mark.parametrize(("level", "mode", "incoming", "expected"), [
    (stock("10"), "off", True, None),
    # number: the figure available; with "show incoming" the incoming figure and date too
    (stock("10", "3"), "number", False, ("number", D(7), None, None)),
    (stock("10", incoming="5", incoming_date=SOON), "number", True, ("number", D(10), D(5), SOON)),
    (stock("10", incoming="5", incoming_date=SOON), "number", False, ("number", D(10), None, None)),
    (stock("0", incoming="5", incoming_date=SOON), "number", True, ("number", D(0), D(5), SOON)),
    # nothing at all when there is neither stock nor incoming
    (stock("0", incoming="5"), "number", False, None),
    (stock("4", "4"), "number", True, None),
    (None, "number", True, None),
    # indication: in stock / incoming / out of stock
    (stock("1"), "indication", True, ("in_stock", None, None, None)),
    (stock("0", incoming="5", incoming_date=SOON), "indication", True, ("incoming", None, None, SOON)),
    (stock("0", incoming="5"), "indication", False, ("out_of_stock", None, None, None)),
    (stock("2", "3"), "indication", True, ("out_of_stock", None, None, None)),
])
def test_stock_display(level, mode, incoming, expected):
    note = note_for(level, mode, incoming)
    got = None if note is None else (note.kind, note.available, note.incoming, note.incoming_date)
    assert got == expected


def test_who_sees_which_product(db, make):
    trade = make.tier("TRADE", "Trade")
    a, b = make.company(price_tier_id=trade.id), make.company()
    make.product(name="Public")
    hidden = make.product(name="Hidden", visibility=ProductVisibility.hidden)
    for_trade = make.product(name="Trade only", visibility=ProductVisibility.restricted)
    for_b = make.product(name="B only", visibility=ProductVisibility.restricted)
    not_for_guests = make.product(name="No guests", guest_visible=False)
    for_trade.visible_to_tiers.append(trade)
    for_b.visible_to_companies.append(b)
    db.session.commit()

    def names(viewer):
        return set(db.session.execute(visible(select(Product.name), viewer)).scalars())

    assert names(Viewer.of(a)) == {"Public", "Trade only", "No guests"}
    assert names(Viewer.of(b)) == {"Public", "B only", "No guests"}
    assert names(Viewer.guest()) == {"Public"}
    assert hidden.name not in names(Viewer.of(a)) | names(Viewer.of(b))
    assert not_for_guests.name not in names(Viewer.guest())
