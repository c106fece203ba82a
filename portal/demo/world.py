"""What the demo builders share while seeding: the random source, the clock and what exists so far."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from portal.models import Address, AddressKind, Company, PriceTier, Product, User
from portal.services import clock

SEED = 2026
#: the latest hour of the day demo events happen at
OFFICE_DAY_ENDS = 18


@dataclass
class DemoCustomer:
    company: Company
    contacts: list[User]
    #: the contact who usually orders (an Admin or Buyer)
    buyer: User

    def address(self, kind: AddressKind) -> Address:
        return next(a for a in self.company.addresses if a.kind == kind and a.is_default)


@dataclass
class DemoWorld:
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    now: datetime = field(default_factory=clock.now)
    tiers: dict[str, PriceTier] = field(default_factory=dict)
    products: list[Product] = field(default_factory=list)
    customers: list[DemoCustomer] = field(default_factory=list)
    suppliers: list[Company] = field(default_factory=list)
    staff: list[User] = field(default_factory=list)
    rep: User | None = None
    #: (company code, product sku) -> agreed unit price
    contract_prices: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    #: customers billed without VAT (intra-EU reverse charge)
    reverse_charge: set[str] = field(default_factory=set)

    @property
    def today(self) -> date:
        return self.now.date()

    def day(self, offset: int) -> date:
        """A date relative to today (negative is the past)."""
        return self.today + timedelta(days=offset)

    def at(self, offset: int, hour: int = 10, minute: int = 0) -> datetime:
        """A UTC moment relative to today, at a plausible office hour, never later than now.

        Today's office day (up to 18:00) is squeezed into the part of today that has passed, so
        what happened today keeps its order and nothing was "placed" later today.
        """
        moment = datetime.combine(self.day(offset), time(hour, minute), tzinfo=UTC)
        midnight = datetime.combine(self.today, time(0), tzinfo=UTC)
        office_day, elapsed = timedelta(hours=OFFICE_DAY_ENDS), self.now - midnight
        if offset == 0 and elapsed < office_day:
            return midnight + (moment - midnight) * (elapsed / office_day)
        return min(moment, self.now)

    def customer(self, code: str) -> DemoCustomer:
        return next(c for c in self.customers if c.company.code == code)

    def pick_products(self, count: int, visible_only: bool = True) -> list[Product]:
        pool = [p for p in self.products if p.visibility == "all" or not visible_only]
        return self.rng.sample(pool, count)
