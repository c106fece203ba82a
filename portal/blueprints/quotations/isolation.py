"""Objects the quote pages take, made for one company (the tenant-isolation matrix uses these)."""
from __future__ import annotations

from decimal import Decimal

from portal.extensions import db
from portal.models import Company, Quote, QuoteLine, QuoteStatus


def make_quote(company: Company) -> int:
    quote = Quote(company_id=company.id, currency=company.currency, status=QuoteStatus.sent, title="Quotation",
                  subtotal=Decimal("100.00"), total=Decimal("100.00"))
    quote.lines.append(QuoteLine(description="Service", quantity=Decimal(1), unit_price=Decimal("100.00"),
                                 line_total=Decimal("100.00")))
    db.session.add(quote)
    db.session.flush()
    return quote.id
