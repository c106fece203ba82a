"""Staff notifications: who on the staff side hears about an event, and the email they get.

Each kind of event is declared once, by the core or a feature (``Feature.events``);
staff choose its recipients — one staff member and/or a team mailbox — and optionally a
staff-edited email template on the Portal settings screen (stored as NotificationRoute rows).
An event nobody is set to hear about sends no email.

Besides the email, each staff *user* who hears about an event — the route's staff member, and the
users the caller names in ``also`` (e.g. a quote's reps, see notify_about_quote) — gets one in-app
notification (portal.services.notifications): a count in the back-office navbar and a line in their
Notifications list, linking to the back-office page of ``link``. Nobody gets two for one event.
Every feature calls ``notify`` (or one of the helpers below it); none writes notifications itself.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from portal import settings
from portal.extensions import db
from portal.features import registry
from portal.models import Company, EmailTemplate, NotificationRoute, OutboxEmail, Quote, User
from portal.services import mailer, notifications, reps


def kinds() -> dict[str, str]:
    """Every declared kind of staff notification -> what happened, core ones first."""
    return registry().events()


def offered() -> dict[str, str]:
    """The kinds of the core and the enabled features: the rows of the settings screen."""
    enabled = settings.enabled_features()
    return {k: v for f in registry() if enabled.get(f.key) for k, v in f.events.items()}


def routes() -> dict[str, NotificationRoute]:
    return {r.kind: r for r in db.session.execute(select(NotificationRoute)).scalars()}


def recipients(route: NotificationRoute | None) -> list[User | str]:
    """The staff member (when still active staff) and the team mailbox, without doubles."""
    if route is None:
        return []
    found: list[User | str] = []
    user = route.recipient_user
    if user is not None and user.is_staff and user.is_active:
        found.append(user)
    team = (route.team_email or "").strip()
    if team and (user is None or team.lower() != user.email.lower()):
        found.append(team)
    return found


def in_app_recipients(route: NotificationRoute | None, also: Iterable[User] = ()) -> list[User]:
    """The users told in the app: the route's staff member and `also`, active staff or reps only, once each."""
    candidates = [r for r in recipients(route) if isinstance(r, User)] + list(also)
    found: dict[int, User] = {}
    for user in candidates:
        if user is not None and user.is_active and (user.is_staff or user.is_rep):
            found.setdefault(user.id, user)
    return list(found.values())


def notify(kind: str, summary: str, *, company: Company | None = None, contact: User | None = None,
           link: str = "", contact_name: str = "", contact_email: str = "",
           also: Iterable[User] = ()) -> list[OutboxEmail]:
    """Tell staff that `kind` happened (in the caller's transaction): email this kind's recipients as
    set on the settings screen, and notify in the app its staff member plus the users in `also`
    (who are told even when no route is set; never emailed by this). `link` is the back-office page
    to open (a full emailed link is fine: the app keeps its /admin path). The contact is an account,
    or a name and address (someone invited who has not accepted yet). Returns the queued emails."""
    declared = kinds()
    if kind not in declared:
        raise KeyError(f"undeclared staff notification {kind!r}")
    route = db.session.execute(select(NotificationRoute).filter_by(kind=kind)).scalar_one_or_none()
    template: EmailTemplate | None = route.template if route is not None else None
    context = {"event": declared[kind], "summary": summary, "company_name": company.name if company else "",
               "contact_name": contact.name if contact else contact_name,
               "contact_email": contact.email if contact else contact_email,
               "link": link}
    title = declared[kind] + (f": {company.name}" if company is not None else "")
    notifications.write(in_app_recipients(route, also), kind, title, summary, link)
    return [mailer.send("staff_notice", to, template=template, **context) for to in recipients(route)]


def notify_about_contact(kind: str, summary: str, contact: User, company: Company | None) -> list[OutboxEmail]:
    """A notice about one contact, linking to the contact's record in the back office."""
    return notify(kind, summary, company=company, contact=contact,
                  link=mailer.external_url("admin_user.edit_view", id=contact.id))


def notify_about_quote(kind: str, summary: str, quote: Quote, *, contact: User | None = None,
                       contact_name: str = "", contact_email: str = "") -> list[OutboxEmail]:
    """A notice about one quote (changes requested, declined, accepted, ...): linking to the quote's
    back-office page, and told in the app to the quote's reps (reps.for_quote) even without a route."""
    return notify(kind, summary, company=quote.company, contact=contact, contact_name=contact_name,
                  contact_email=contact_email, link=mailer.external_url("admin_quote.edit_view", id=quote.id),
                  also=reps.for_quote(quote))
