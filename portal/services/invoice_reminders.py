"""Payment reminders, sent by `portal send-reminders` (run it once a day, e.g. from cron).

- Due soon: an open invoice due within the next ``invoices.reminder_days_before`` days (not today) is
  reminded once. 0 switches these reminders off.
- Overdue: an open invoice past its due date is reminded the first run after that, then again every
  ``invoices.overdue_reminder_every_days`` days while it still owes money (0: once only).
- Only money still owed counts: the invoice's balance after payments and credit notes is more than
  zero, and the company's company credit (receivables.outstanding) has not covered it.
- Each reminder is recorded in invoice_reminder (invoice, kind, day; unique): a second run the same day,
  or two runs at once, send it once. Everyone who may see the invoice is told in the portal
  (portal_notices) and emailed unless their preferences say no; an invoice nobody is there to read
  about is not recorded, so it is reminded once someone is.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from portal import settings
from portal.extensions import db
from portal.models import Company, Invoice, InvoiceReminder
from portal.services import clock, customer_notices, mailer, portal_notices, preferences, receivables

DUE_SOON, OVERDUE = "due_soon", "overdue"
#: the email kind and the portal notice kind of each reminder
EMAIL_KIND = {DUE_SOON: "invoice_due_soon", OVERDUE: "invoice_overdue"}


@dataclass
class ReminderRun:
    """What one run sent: invoices reminded per kind and emails queued."""

    due_soon: int = 0
    overdue: int = 0
    emails: int = 0

    def __str__(self) -> str:
        return (f"Reminded {self.due_soon} invoice(s) due soon and {self.overdue} overdue invoice(s) "
                f"({self.emails} email(s) queued).")


def owing(query):
    """Open invoices with a balance left after payments and credit notes."""
    return query.where(receivables.open_clause(), Invoice.balance_due > 0)


def due_soon(today: date, days_before: int) -> list[Invoice]:
    """Open invoices falling due after today and within `days_before` days, never reminded as due soon."""
    if days_before <= 0:
        return []
    reminded = select(InvoiceReminder.id).where(InvoiceReminder.invoice_id == Invoice.id,
                                                InvoiceReminder.kind == DUE_SOON)
    return list(db.session.execute(owing(select(Invoice)).where(
        Invoice.due_date > today, Invoice.due_date <= today + timedelta(days=days_before), ~reminded.exists())
        .order_by(Invoice.due_date, Invoice.id)).scalars())


def overdue(today: date, every_days: int) -> list[Invoice]:
    """Overdue invoices not reminded yet, or (every_days > 0) last reminded at least every_days ago."""
    last = (select(func.max(InvoiceReminder.sent_on)).where(InvoiceReminder.invoice_id == Invoice.id,
                                                             InvoiceReminder.kind == OVERDUE).scalar_subquery())
    again = last.is_(None) if every_days <= 0 else (last.is_(None) | (last <= today - timedelta(days=every_days)))
    return list(db.session.execute(owing(select(Invoice)).where(receivables.overdue_clause(today), again)
                                   .order_by(Invoice.due_date, Invoice.id)).scalars())


def remind(invoice: Invoice, kind: str, today: date) -> int:
    """Send one reminder of an invoice (once per invoice, kind and day); the number of emails queued."""
    email_kind = EMAIL_KIND[kind]
    readers = portal_notices.contacts(invoice.company, "invoices.view")
    emailed = [p for p in readers if preferences.wants(p, mailer.kind_of(email_kind).pref)]
    if not readers or not portal_notices.first_time(InvoiceReminder, invoice_id=invoice.id, kind=kind,
                                                    sent_on=today, recipients=len(emailed)):
        return 0
    days = abs((invoice.due_date - today).days)
    told = portal_notices.notify_company(
        email_kind, None, invoice.company, permission="invoices.view", title=invoice.number or "",
        page=customer_notices.invoice_path(invoice), email=email_kind,
        **customer_notices.invoice_context(invoice), days=days)
    return len(told.emails)


def _still_owed(invoice: Invoice, kind: str, today: date, cache: dict[int, list]) -> bool:
    """Whether the company's credit left this invoice's money owed (receivables.outstanding)."""
    company: Company = invoice.company
    if company.id not in cache:
        cache[company.id] = receivables.outstanding(company, today)
    figures = next((o for o in cache[company.id] if o.currency == invoice.currency), None)
    if figures is None:
        return False
    return (figures.overdue_total if kind == OVERDUE else figures.open_total) > 0


def send_due(today: date | None = None, *, commit: bool = True) -> ReminderRun:
    """Send today's due-soon and overdue reminders, committing after each invoice (with `commit`), so a
    concurrent run waits at most for one invoice and a crash keeps what was sent."""
    today = today or clock.today()
    run = ReminderRun()
    if not settings.is_enabled("invoices"):
        return run
    work = [(DUE_SOON, invoice) for invoice in due_soon(today, settings.get("invoices.reminder_days_before"))]
    work += [(OVERDUE, invoice) for invoice in overdue(today, settings.get("invoices.overdue_reminder_every_days"))]
    outstanding: dict[int, list] = {}
    for kind, invoice in work:
        if not _still_owed(invoice, kind, today, outstanding):
            continue
        sent = remind(invoice, kind, today)
        if sent:
            run.emails += sent
            setattr(run, kind, getattr(run, kind) + 1)
        if commit:
            db.session.commit()
    return run
