"""What the portal offers a customer (or a supplier) right now, in words, for invitations.

Composed from the summaries of the enabled features of that audience, so an email never promises
a feature that is switched off ("There you can follow your orders and track your shipments.").
"""
from __future__ import annotations

from portal import settings
from portal.features import registry

FALLBACK = "see your account with us"


def summaries(audience: str = "customer") -> list[str]:
    enabled = settings.enabled_features()
    return [f.summary for f in registry()
            if f.summary and not f.always_on and f.audience == audience and enabled.get(f.key)]


def sentence(audience: str = "customer") -> str:
    """"follow your orders, track your shipments and see your invoices" (or a neutral fallback)."""
    parts = summaries(audience)
    if not parts:
        return FALLBACK
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def for_company(company) -> str:
    """The sentence for a company's contacts: supplier documents for a supplier, else the customer's."""
    if company is not None and company.is_supplier and not company.is_customer:
        return sentence("supplier")
    return sentence("customer")
