"""The demo instance: Northwind Supply, a trade supplier, with a year's worth of believable data.

`seed_demo()` fills an empty database (no companies, no products) and refuses otherwise, so it never
mixes demo rows into real data. The data is deterministic (random.Random(2026)); dates are
relative to today, so invoices are overdue and promotions active whenever the demo starts.
"""
from __future__ import annotations

from sqlalchemy import func, select

from portal import settings
from portal.demo import activity, catalog, customers, finance, lists, orders, purchasing, quotes, service
from portal.demo.world import DemoWorld
from portal.extensions import db
from portal.models import Company, NotificationRoute, Product
from portal.services.bootstrap import seed_reference_data

BRANDING = {
    "branding.business_name": "Northwind Supply",
    "branding.primary_color": "#0f5e6e",
    "branding.accent_color": "#d97706",
    "branding.footer_text": "Northwind Supply B.V. · Ringbaan-West 240, 5038 KD Tilburg · +31 13 555 0140 · "
                            "sales@northwind.example · Chamber of Commerce 12345678",
}
#: where customers transfer money to when they Pay Now by bank transfer
BANK = {"invoices.bank_account_holder": "Northwind Supply B.V.", "invoices.bank_iban": "NL02ABNA0123456789",
        "invoices.bank_bic": "ABNANL2A", "invoices.bank_name": "ABN AMRO"}
#: the guest catalog is open in the demo: visitors browse at the Guest tier
GUEST_CATALOG = {"features.guest_catalog": True, "guest_catalog.price_tier": "GUEST"}


def has_business_data() -> bool:
    """Companies or products exist: the database is in use, the demo stays out."""
    return any(db.session.execute(select(func.count(model.id))).scalar_one() for model in (Company, Product))


def _seed_notification_routes(world) -> None:
    """The demo's office manager hears when a contact accepts; the sales team about customer users."""
    db.session.add_all([
        NotificationRoute(kind="invitation_accepted", recipient_user=world.staff[0]),
        NotificationRoute(kind="colleague_invited", team_email="sales@northwind.example"),
        NotificationRoute(kind="colleague_removed", team_email="sales@northwind.example"),
    ])


def seed_demo() -> bool:
    """Load the demo data and commit; returns False (and changes nothing) if the database is in use."""
    if has_business_data():
        return False
    try:
        seed_reference_data()
        world = DemoWorld()
        catalog.seed_tiers(world)
        settings.save(BRANDING, commit=False)
        settings.save(GUEST_CATALOG, commit=False)
        settings.save(BANK, commit=False)
        catalog.seed_catalog(world)
        customers.seed_people(world)
        customers.seed_contract_prices(world)
        accepted = quotes.seed_quotes(world)
        orders.seed_orders(world, accepted)
        purchasing.seed_purchasing(world)
        service.seed_tickets(world)
        finance.seed_payment_request(world)
        lists.seed_lists(world)
        activity.seed_activity()
        _seed_notification_routes(world)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return True
