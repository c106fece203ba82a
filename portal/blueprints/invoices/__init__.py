"""Invoices: what the company owes, what it paid (receipts) and what was credited back."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.admin_views.finance import views as finance_views
from portal.blueprints.invoices import isolation
from portal.blueprints.invoices.blocks import ageing_summary, outstanding, recent_invoices
from portal.contract import ActivityKind, Block, EmailKind, Feature, NavEntry, NumberKind, SettingSpec
from portal.i18n import N_

bp = Blueprint("invoices", __name__)
_INVOICE = ("recipient_name", "company_name", "invoice_number", "total", "due_date", "link")

feature = Feature(
    key="invoices",
    label=N_("Invoices"),
    description="Customers see their invoices, balances due, receipts and credit notes",
    summary=_l("see your invoices, receipts and credit notes"),
    blueprint=bp,
    url_prefix="/invoices",
    nav=(NavEntry("invoices.index", _l("Invoices"), permission="invoices.view"),),
    permissions={"invoices.view": N_("See the company's invoices, credit notes and receipts"),
                 "invoices.statement": N_("See the company's statement of account and the ageing of what it owes"),
                 "invoices.pay": N_("Pay the company's invoices (Pay Now)")},
    grants={"Admin": {"invoices.view", "invoices.statement", "invoices.pay"}, "Buyer": {"invoices.view"},
            "Viewer": {"invoices.view"}, "Finance": {"invoices.view", "invoices.statement", "invoices.pay"}},
    settings={
        "pay_by_bank_transfer": SettingSpec(True, "Pay Now by bank transfer",
                                            help="Customers see the bank details below and a payment reference; "
                                                 "confirm the money arrived under Payment requests"),
        "bank_account_holder": SettingSpec("", "Account holder", type="str"),
        "bank_iban": SettingSpec("", "IBAN", type="str", help="Bank transfer is offered only with an IBAN"),
        "bank_bic": SettingSpec("", "BIC", type="str"),
        "bank_name": SettingSpec("", "Bank name", type="str"),
        "pay_by_card": SettingSpec(False, "Pay Now by card (Stripe Checkout)",
                                   help="Needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET in the environment; "
                                        "point Stripe's webhook at /payments/stripe/webhook"),
        "reminder_days_before": SettingSpec(3, "Payment reminder: days before the due date", type="int",
                                            minimum=0, maximum=60,
                                            help="`portal send-reminders` (run it daily) emails an open invoice this "
                                                 "many days before it is due; 0 sends no such reminder"),
        "overdue_reminder_every_days": SettingSpec(7, "Overdue reminder: repeat every (days)", type="int",
                                                   minimum=0, maximum=90,
                                                   help="An overdue invoice is reminded the day after its due date, "
                                                        "then again every this many days while it still owes "
                                                        "money; 0 reminds once"),
    },
    admin_views=finance_views,
    dashboard=(Block("invoices/_outstanding.html", outstanding, permission="invoices.view", area="stats"),
               Block("invoices/_recent_invoices.html", recent_invoices, permission="invoices.view"),
               Block("invoices/_ageing.html", ageing_summary, permission="invoices.statement",
                     area="wide")),
    notices={"invoice_issued": N_("New invoice"), "payment_receipt": N_("Payment received"),
             "invoice_due_soon": N_("Invoice due soon"), "invoice_overdue": N_("Invoice overdue")},
    emails={
        "invoice_issued": EmailKind("New invoice", "invoices/email/issued", pref="invoice_issued",
                                    pref_label=N_("New invoices"), placeholders=_INVOICE),
        "payment_receipt": EmailKind("Payment received (receipt)", "invoices/email/payment_receipt",
                                     pref="payment_receipt", pref_label=N_("Payments we received (receipts)"),
                                     placeholders=("recipient_name", "company_name", "receipts", "amount", "link")),
        "invoice_due_soon": EmailKind("Invoice due soon", "invoices/email/due_soon", pref="invoice_due_soon",
                                      pref_label=N_("Reminders a few days before an invoice is due"),
                                      placeholders=(*_INVOICE, "balance_due", "days")),
        "invoice_overdue": EmailKind("Invoice overdue", "invoices/email/overdue", pref="invoice_overdue",
                                     pref_label=N_("Reminders about overdue invoices"),
                                     placeholders=(*_INVOICE, "balance_due", "days")),
    },
    events={"payment_requested": "A customer will pay invoices by bank transfer (confirm it when it arrives)",
            "payment_received": "A customer paid invoices by card"},
    numbers={"invoice": NumberKind("INV"), "payment": NumberKind("RCT"), "credit_note": NumberKind("CN")},
    isolation={"invoice_id": isolation.make_invoice, "credit_note_id": isolation.make_credit_note,
               "payment_id": isolation.make_payment, "payment_request_id": isolation.make_payment_request},
    activity={
        "invoice_pdf_downloaded": ActivityKind(_l("Downloaded an invoice PDF"), page="admin_invoice.edit_view"),
        "credit_note_pdf_downloaded": ActivityKind(_l("Downloaded a credit note PDF"),
                                                   page="admin_credit_note.edit_view"),
        "receipt_pdf_downloaded": ActivityKind(_l("Downloaded a payment receipt"), page="admin_payment.edit_view"),
        "statement_pdf_downloaded": ActivityKind(_l("Downloaded an account statement")),
    },
)

from portal.blueprints.invoices import (  # noqa: F401
    document_pdf_views,
    payment_views,
    receipt_views,
    statement_views,
    stripe_webhook,
    views,
)
