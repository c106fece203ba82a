"""The catalog's product cards and their price and stock pieces, built in Python rather than in Jinja.

A catalog page shows 24 to 96 cards, and a dozen Jinja calls per card (macros, links, translations)
cost more than the rest of the page; these functions write the same markup (the product page uses the
price and stock pieces too). Every value written is escaped (``markupsafe.escape``); translations are
trusted as markup, as Jinja's ``{% trans %}`` trusts them.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from portal import settings
from portal.i18n import page_translations
from portal.money import day as format_day
from portal.money import money_writer
from portal.web import quantity


class _Words:
    """The active language's translations and money format, looked up once for the cards of a page."""

    def __init__(self) -> None:
        self.gettext = page_translations().ugettext
        self.money = money_writer()
        self.kept: dict[str, str] = {}

    def __call__(self, message: str, **variables) -> str:
        text = self.kept.get(message)
        if text is None:
            text = self.kept[message] = self.gettext(message)
        return text % variables if variables else text


def product_cards(rows, shopper, book, stock_note, product_url, image_url) -> Markup:
    """One card per row of a catalog page (``catalog.ProductRow``): picture, name, SKU and pack, price, stock."""
    _ = _Words()
    no_picture = f'<span class="no-image">{escape(_("No picture"))}</span>'
    sku_says, pack_says = _("SKU %(sku)s"), _("· pack of %(pack_size)s")
    cards = []
    for row in rows:
        p = row.product
        href = escape(product_url(p.id))
        thumb = (f'<img src="{escape(image_url(row.image_id))}" alt="" loading="lazy" width="160" height="120">'
                 if row.image_id else no_picture)
        sku = sku_says % {"sku": escape(p.sku)}
        if p.pack_size != 1:
            sku += " " + pack_says % {"pack_size": escape(quantity(p.pack_size))}
        price = price_tag(shopper, book.price(p.id, p.min_order_qty) if book else None, p.unit, _)
        cards.append(
            f'<li class="product-card">\n'
            f'  <a class="product-thumb" href="{href}" tabindex="-1" aria-hidden="true">{thumb}</a>\n'
            f'  <h3 class="product-name"><a href="{href}">{escape(p.name)}</a></h3>\n'
            f'  <p class="sku">{sku}</p>\n'
            f'  <p class="product-price">{price}</p>\n'
            f'  <p class="product-stock">{stock_tag(stock_note(p.stock), _)}</p>\n'
            f"</li>")
    return Markup("\n".join(cards))


def _expected(day, _) -> str:
    return " " + _("(expected %(date)s)", date=format_day(day, "d MMM y")) if day else ""


def stock_tag(note, _: _Words | None = None) -> Markup:
    """What ``stock_display.note_for`` says, as a badge (nothing for no note)."""
    if not note:
        return Markup("")
    _ = _ or _Words()
    if note.kind == "number":
        parts = []
        if note.available > 0:
            parts.append(_("%(available)s in stock", available=quantity(note.available)))
        if note.incoming:
            parts.append(_("%(incoming)s incoming", incoming=quantity(note.incoming)) + _expected(note.incoming_date, _))
        return Markup(f'<span class="stock stock-number">{escape(", ".join(parts))}</span>')
    incoming = _expected(note.incoming_date, _) if note.kind == "incoming" else ""
    return Markup(f'<span class="stock stock-{escape(note.kind.replace("_", "-"))}">'
                  f"{escape(note.label)}{escape(incoming)}</span>")


def price_tag(shopper, price, unit, _: _Words | None = None) -> Markup:
    """The unit price as this viewer may see it: hidden prices, visitors without prices, savings."""
    _ = _ or _Words()
    if not shopper.sees_prices:
        if shopper.is_guest and not settings.get("prices.hide"):
            return Markup(f'<span class="price price-none">{escape(_("Sign in for prices"))}</span>')
        return Markup(f'<span class="price">{escape(shopper.hidden_price)}</span>')
    if price is None:
        return Markup(f'<span class="price price-none">{escape(_("Price on request"))}</span>')
    # shown prices: the amounts as they are (the hidden-price rule was applied above)
    tag = (f'<span class="price">{escape(_.money(price.unit, price.currency))}</span>'
           f'<span class="per-unit"> / {escape(unit)}</span>')
    if price.saving > 0:
        saving = _("List %(list_unit)s · you save %(saving)s", list_unit=_.money(price.list_unit, price.currency),
                   saving=_.money(price.saving, price.currency))
        tag += f'\n      <span class="saving">{escape(saving)}</span>'
    return Markup(tag)
