"""What every payment provider is: the protocol, what starting a payment returns, its errors."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from portal.models import PaymentMethod, PaymentRequest


class ProviderError(Exception):
    """The provider could not start the payment (unreachable, refused); nothing was charged."""


@dataclass(frozen=True)
class ReturnUrls:
    """Where the provider sends the customer back: after paying, and when they give up."""

    success: str
    cancel: str


@dataclass(frozen=True)
class Started:
    """A started payment: the provider's page to send the customer to (None: our own request page says
    what to do) and the provider's id of its checkout."""

    redirect_url: str | None = None
    session_id: str | None = None


class PaymentProvider(Protocol):
    #: stored on PaymentRequest.provider
    key: str
    #: what the customer chooses on the review page
    label: str
    #: how the recorded payments (receipts) say the money came
    method: PaymentMethod

    def available(self) -> bool:
        """Switched on in the settings and configured, so customers may choose it."""

    def start(self, request: PaymentRequest, urls: ReturnUrls) -> Started:
        """Begin paying a new pending request; ProviderError when it cannot."""


def summary(request: PaymentRequest) -> str:
    """"Alpha Trading: EUR 321.00 for INV-2026-0001, INV-2026-0002 (reference PAY-7K3M-2QXD)" for staff notices."""
    invoices = ", ".join(item.invoice.number for item in request.items)
    return f"{request.company.name}: {request.currency} {request.total} for {invoices} (reference {request.reference})"
