"""The price and stock pieces of a product card, built in Python rather than as Jinja macros.

A catalog page shows 24 to 96 cards, and calling two macros per card cost more than everything else on
the card; these functions write the same markup (the product page uses them too). Every value written
is escaped (``markupsafe.escape``).
"""
from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup, escape

from portal import settings
from portal.money import day as format_day
from portal.money import money
from portal.web import quantity


def _expected(day) -> str:
    return " " + _("(expected %(date)s)", date=format_day(day, "d MMM y")) if day else ""


def stock_tag(note) -> Markup:
    """What ``stock_display.note_for`` says, as a badge (nothing for no note)."""
    if not note:
        return Markup("")
    if note.kind == "number":
        parts = []
        if note.available > 0:
            parts.append(_("%(available)s in stock", available=quantity(note.available)))
        if note.incoming:
            parts.append(_("%(incoming)s incoming", incoming=quantity(note.incoming)) + _expected(note.incoming_date))
        return Markup(f'<span class="stock stock-number">{escape(", ".join(parts))}</span>')
    incoming = _expected(note.incoming_date) if note.kind == "incoming" else ""
    return Markup(f'<span class="stock stock-{escape(note.kind.replace("_", "-"))}">'
                  f"{escape(note.label)}{escape(incoming)}</span>")


def price_tag(shopper, price, unit) -> Markup:
    """The unit price as this viewer may see it: hidden prices, visitors without prices, savings."""
    if not shopper.sees_prices:
        if shopper.is_guest and not settings.get("prices.hide"):
            return Markup(f'<span class="price price-none">{escape(_("Sign in for prices"))}</span>')
        return Markup(f'<span class="price">{escape(shopper.hidden_price)}</span>')
    if price is None:
        return Markup(f'<span class="price price-none">{escape(_("Price on request"))}</span>')
    # shown prices: the amounts as they are (the hidden-price rule was applied above)
    tag = (f'<span class="price">{escape(money(price.unit, price.currency))}</span>'
           f'<span class="per-unit"> / {escape(unit)}</span>')
    if price.saving > 0:
        saving = _("List %(list_unit)s · you save %(saving)s", list_unit=money(price.list_unit, price.currency),
                   saving=money(price.saving, price.currency))
        tag += f'\n      <span class="saving">{escape(saving)}</span>'
    return Markup(tag)
