"""How a customer's payment request is paid: one provider per way of paying.

A provider starts the payment of a PaymentRequest (``start``: where the customer goes next) and says
how it completes: bank transfers when staff confirm the money arrived (back office), card payments
when the provider's signed webhook says so. Completion always goes through
portal.services.payment_requests.complete, so each request is recorded once whoever completes it.
"""
from __future__ import annotations

from portal.services.payment_providers import bank_transfer, stripe_checkout
from portal.services.payment_providers.base import PaymentProvider, ProviderError, ReturnUrls, Started

__all__ = ["PaymentProvider", "ProviderError", "ReturnUrls", "Started", "all_providers", "available", "get"]


def all_providers() -> list[PaymentProvider]:
    return [bank_transfer.PROVIDER, stripe_checkout.PROVIDER]


def available() -> list[PaymentProvider]:
    """The providers customers may choose now, in the order the review page lists them."""
    return [p for p in all_providers() if p.available()]


def get(key: str | None) -> PaymentProvider | None:
    return next((p for p in all_providers() if p.key == key), None)
