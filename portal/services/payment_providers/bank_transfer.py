"""Bank transfer: the customer transfers the money with the request's reference; staff confirm it arrived."""
from __future__ import annotations

from dataclasses import dataclass

from portal import settings
from portal.i18n import N_
from portal.models import PaymentMethod, PaymentRequest
from portal.services import mailer, staff_notices
from portal.services.payment_providers.base import ReturnUrls, Started, summary


@dataclass(frozen=True)
class BankDetails:
    account_holder: str
    iban: str
    bic: str
    bank_name: str


def bank_details() -> BankDetails:
    """The business's account as the invoices settings hold it."""
    return BankDetails(settings.get("invoices.bank_account_holder"), settings.get("invoices.bank_iban"),
                       settings.get("invoices.bank_bic"), settings.get("invoices.bank_name"))


class BankTransfer:
    key = "bank_transfer"
    label = N_("Bank transfer")
    method = PaymentMethod.bank_transfer

    def available(self) -> bool:
        """On in the settings, with an IBAN to pay to."""
        return bool(settings.get("invoices.pay_by_bank_transfer") and settings.get("invoices.bank_iban").strip())

    def start(self, request: PaymentRequest, urls: ReturnUrls) -> Started:
        """Nothing to call: the request's page shows the bank details and the reference, and staff are told
        to look out for the transfer (it stays pending until they confirm it)."""
        staff_notices.notify("payment_requested", summary(request), company=request.company,
                             contact=request.created_by,
                             link=mailer.external_url("admin_payment_request.confirm", id=request.id))
        return Started()


PROVIDER = BankTransfer()
