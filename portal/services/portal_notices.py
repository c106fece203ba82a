"""Telling a customer's people what happened to their business: a notification in the portal (the bell,
/notifications) and, where the event has an email, that email — the one entry point for customer-side
events, as portal.services.staff_notices is for staff.

``notify_company`` is called by the service that makes the event happen, in its transaction:

- the kind is a portal notice a feature declares (``Feature.notices``): while that feature is off nothing
  is written nor sent;
- the event is claimed once by its key ("order_approved:42") in customer_notice, so a retried action, a
  repeated webhook or two workers at once tell nobody twice (callers that key the event themselves, such as
  the daily reminders, pass ``event_key=None``);
- the people told are the company's contacts who may use the portal now and whose role has ``permission``
  (only those among ``people`` when given: the buyer of an order, a ticket's followers), plus — with
  ``reps`` — the sales reps who may act for the company; each gets one notification about the company,
  linking to the portal page ``page`` (a relative path of this site: anything else is dropped);
- with ``email``, each contact told is also emailed that kind, unless they switched its preference off.

The caller commits; emails go out through the outbox with the transaction.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from portal import settings
from portal.extensions import db
from portal.features import registry
from portal.models import (
    Company,
    CustomerNotice,
    InvitationState,
    Membership,
    Notification,
    OutboxEmail,
    RepAccess,
    User,
    UserKind,
    rep_allocation,
)
from portal.services import mailer, notifications, preferences

BODY_LIMIT = 300


@dataclass
class Told:
    """What one event produced: the in-app notifications written and the emails queued."""

    notifications: list[Notification] = field(default_factory=list)
    emails: list[OutboxEmail] = field(default_factory=list)


def path(endpoint: str, **values) -> str:
    """The portal path of a page, relative to the portal's root (as stored in a notification's link)."""
    return current_app.url_map.bind("portal.invalid", script_name="/").build(endpoint, values)


def feature_of(kind: str) -> str:
    """The key of the feature that declares a portal notice kind (KeyError when none does)."""
    for feature in registry():
        if kind in feature.notices:
            return feature.key
    raise KeyError(f"undeclared portal notice {kind!r}: declare it in its feature's `notices`")


def enabled_kinds() -> list[str]:
    """The portal notice kinds of the core and the features switched on (what the portal shows)."""
    return registry().enabled_notice_kinds(settings.enabled_features())


def label(kind: str) -> str:
    """What happened, in the declaring feature's words (untranslated; templates translate it)."""
    return registry().notice_kinds().get(kind, kind)


# --- who hears about it ---------------------------------------------------------------------------

def contacts(company: Company, permission: str, pref: str | None = None) -> list[User]:
    """The company's contacts who may use the portal now, whose role has `permission` and who want `pref`."""
    if not company.portal_access or not company.is_customer:
        return []
    memberships = db.session.execute(
        select(Membership).join(Membership.user).options(joinedload(Membership.role), joinedload(Membership.user))
        .where(Membership.company_id == company.id, Membership.is_active.is_(True), User.portal_access.is_(True),
               User.is_active_flag.is_(True), User.invitation_state != InvitationState.revoked)
        .order_by(User.id)).scalars()
    return [m.user for m in memberships
            if m.user.is_contact and (m.role.all_permissions or permission in (m.role.permissions or []))
            and preferences.wants(m.user, pref)]


def reps_of(company: Company) -> list[User]:
    """The active sales reps who may act for the company: those allocated to it and those for every customer."""
    if not company.is_customer:
        return []
    allocated = select(rep_allocation.c.user_id).where(rep_allocation.c.company_id == company.id)
    return list(db.session.execute(
        select(User).where(User.kind == UserKind.rep, User.is_active_flag.is_(True),
                           (User.rep_access == RepAccess.all) | User.id.in_(allocated))
        .order_by(User.id)).scalars())


def first_time(model, **values) -> bool:
    """Insert a row of `model` (a table with a unique key over `values`) unless it is there: True when this
    transaction inserted it. Correct under concurrent transactions on both engines (the later insert waits
    for the earlier one and then does nothing)."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    inserted = db.session.execute(insert(model).values(**values).on_conflict_do_nothing().returning(model.id))
    return inserted.scalar_one_or_none() is not None


# --- the entry point --------------------------------------------------------------------------------

def notify_company(kind: str, event_key: str | None, company: Company, *, permission: str, title: str,
                   page: str | None, body: str = "", email: str | None = None, people: Iterable[User] | None = None,
                   reps: bool = False, **context) -> Told:
    """Tell the company's people about one event, once (see the module docstring). `title` names the subject
    ("SO-2026-0001"); the list shows it under the kind's label. `context` fills the email (its `link` is the
    emailed, absolute one)."""
    if not settings.is_enabled(feature_of(kind)):
        return Told()
    told = contacts(company, permission)
    if people is not None:
        wanted = {person.id for person in people if person is not None}
        told = [person for person in told if person.id in wanted]
    if event_key is not None and not first_time(CustomerNotice, event_key=event_key[:120], recipients=len(told)):
        return Told()
    written = notifications.write([*told, *(reps_of(company) if reps else [])], kind, title,
                                  (body or "")[:BODY_LIMIT], page, company_id=company.id)
    emails: list[OutboxEmail] = []
    if email is not None:
        context.setdefault("company_name", company.name)
        emails = [sent for person in told if (sent := mailer.send(email, person, **context)) is not None]
    return Told(written, emails)
