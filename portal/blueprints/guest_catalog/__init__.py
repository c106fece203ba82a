"""Guest catalog: visitors browse the shop's catalog without signing in, at the guest price tier.

Its toggle is the portal's guest access (seed 004: "Allow guest access", "Price tier for guest
user"): while it is on, /shop/ and product pages answer visitors who are not signed in, priced at
the chosen tier (no tier: no prices), with products visible to all and marked for guests only, and
without cart or order forms; the visitor's home page (/) is the catalog. While it is off, the shop
asks visitors to sign in. The catalog pages themselves are the shop's (portal.blueprints.shop).
"""
from flask import Blueprint

from portal.blueprints.guest_catalog.services import tier_choices
from portal.contract import Feature, SettingSpec

bp = Blueprint("guest_catalog", __name__)

feature = Feature(
    key="guest_catalog",
    label="Guest catalog",
    description="Visitors browse the catalog without signing in, at the guest price tier; they cannot order",
    blueprint=bp,
    url_prefix="/catalog",
    default_enabled=False,
    public=True,
    audience="guest",
    requires=frozenset({"shop"}),
    settings={
        "price_tier": SettingSpec("", "Guest price tier", type="choice", choices_from=tier_choices,
                                  help="The prices visitors see; none: visitors see no prices"),
    },
)

from portal.blueprints.guest_catalog import views  # noqa: F401
