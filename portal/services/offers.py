"""What the portal offers a customer (or a supplier) right now, in words, for invitations.

Composed from the summaries of the enabled features of that audience, so an email never promises
a feature that is switched off ("There you can follow your orders and track your shipments.").
The sentence is worded when it is written into an email, in that email's language.
"""
from __future__ import annotations

from flask_babel import LazyString, gettext

from portal import settings
from portal.features import registry
from portal.i18n import N_

FALLBACK = N_("see your account with us")


def summaries(audience: str = "customer") -> list[str]:
    enabled = settings.enabled_features()
    return [str(f.summary) for f in registry()
            if f.summary and not f.always_on and f.audience == audience and enabled.get(f.key)]


def _sentence(audience: str) -> str:
    parts = summaries(audience)
    if not parts:
        return gettext(FALLBACK)
    if len(parts) == 1:
        return parts[0]
    return gettext("%(first)s and %(last)s", first=", ".join(parts[:-1]), last=parts[-1])


def sentence(audience: str = "customer") -> LazyString:
    """"follow your orders, track your shipments and see your invoices" (or a neutral fallback), in the
    language of the page or email it is written into."""
    return LazyString(_sentence, audience)


def for_company(company) -> LazyString:
    """The sentence for a company's contacts: supplier documents for a supplier, else the customer's."""
    if company is not None and company.is_supplier and not company.is_customer:
        return sentence("supplier")
    return sentence("customer")
