"""What the portal says about stock, exactly as seed 000 describes the "Show stock" settings.

- "off": nothing.
- "number": the figure available (on hand minus reserved); with "show incoming", also the incoming
  figure and its expected date. Nothing at all when there is neither stock nor incoming.
- "indication": "In stock", "Incoming" (with "show incoming", when nothing is available but some is
  on its way) or "Out of stock".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal import settings
from portal.models import StockLevel

ZERO = Decimal(0)


@dataclass(frozen=True)
class StockNote:
    #: "in_stock", "incoming", "out_of_stock" (indication) or "number"
    kind: str
    available: Decimal | None = None
    incoming: Decimal | None = None
    incoming_date: date | None = None

    @property
    def label(self) -> str:
        return {"in_stock": "In stock", "incoming": "Incoming", "out_of_stock": "Out of stock"}.get(self.kind, "")


def note_for(stock: StockLevel | None, mode: str | None = None, show_incoming: bool | None = None) -> StockNote | None:
    """What to show for one product's stock (None: show nothing). Settings are read when not given."""
    mode = settings.get("stock.display") if mode is None else mode
    show_incoming = settings.get("stock.show_incoming") if show_incoming is None else show_incoming
    if mode == "off":
        return None
    available = max((stock.available if stock else ZERO), ZERO)
    incoming = (stock.incoming or ZERO) if stock and show_incoming else ZERO
    incoming_date = stock.incoming_date if stock and incoming > 0 else None
    if mode == "number":
        if available <= 0 and incoming <= 0:
            return None
        return StockNote("number", available=available, incoming=incoming if incoming > 0 else None,
                         incoming_date=incoming_date)
    if available > 0:
        return StockNote("in_stock")
    if incoming > 0:
        return StockNote("incoming", incoming_date=incoming_date)
    return StockNote("out_of_stock")
