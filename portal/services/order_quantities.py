"""What quantity of a product a customer may order: a number, at least the minimum, in its steps."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from portal.models import Product
from portal.money import number
from portal.services.errors import RuleError

#: more than anyone orders in one line; keeps typing mistakes (an extra zero or five) out of the cart
MAX_QUANTITY = Decimal(1_000_000)


class QuantityError(RuleError):
    default_field = "quantity"


def parse(text) -> Decimal:
    """A quantity typed by a person ("12", "2.5", "1,5"); QuantityError with a sentence when it is none."""
    raw = str(text if text is not None else "").strip().replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise QuantityError(_("“%(text)s” is not a quantity: enter a number, e.g. 12.", text=raw[:20])) from None
    if not value.is_finite() or value <= 0:
        raise QuantityError(_("Enter a quantity above zero."))
    if value != value.quantize(Decimal("0.001")):
        raise QuantityError(_("Enter the quantity with at most 3 decimals."))
    if value > MAX_QUANTITY:
        raise QuantityError(_("Enter a quantity of at most %(most)s.", most=number(MAX_QUANTITY)))
    return value


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def problem(product: Product, quantity: Decimal) -> str | None:
    """Why this quantity cannot be ordered (minimum, steps), in words; None when it can."""
    minimum = product.min_order_qty or Decimal(1)
    step = product.order_increment or Decimal(1)
    unit = product.unit or _("pcs")
    if quantity < minimum:
        return _("%(product)s: the minimum order is %(minimum)s %(unit)s.", product=product.name,
                 minimum=_plain(minimum), unit=unit)
    if step > 0 and (quantity - minimum) % step != 0:
        below = minimum + ((quantity - minimum) // step) * step
        return _("%(product)s is sold in steps of %(step)s %(unit)s from %(minimum)s: order %(below)s or %(above)s.",
                 product=product.name, step=_plain(step), unit=unit, minimum=_plain(minimum), below=_plain(below),
                 above=_plain(below + step))
    return None


def check(product: Product, quantity: Decimal) -> None:
    message = problem(product, quantity)
    if message:
        raise QuantityError(message)
