"""Who a visitor of the guest catalog is: a guest viewer at the guest tier, while the catalog is open."""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from portal import settings
from portal.extensions import db
from portal.models import PriceTier
from portal.services.pricing import Buyer, guest_buyer

FEATURE_KEY = "guest_catalog"
TIER_SETTING = "guest_catalog.price_tier"


def open_to_visitors() -> bool:
    """The guest catalog is on (read once per request with the other settings)."""
    return settings.is_enabled(FEATURE_KEY)


def is_guest_visit() -> bool:
    """This request comes from a visitor who is not signed in, and the guest catalog is on."""
    return not current_user.is_authenticated and open_to_visitors()


def visitor_buyer() -> Buyer:
    """A visitor priced at the guest tier chosen in the settings (none chosen: no prices)."""
    return guest_buyer(settings.get(TIER_SETTING))


def tier_choices() -> tuple[tuple[str, str], ...]:
    tiers = db.session.execute(select(PriceTier).order_by(PriceTier.name)).scalars()
    return (("", "— none: visitors see no prices —"),) + tuple((t.code, t.name) for t in tiers)
