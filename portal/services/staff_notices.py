"""Staff notifications: who on the staff side hears about an event, and the email they get.

Each kind of event is declared once, by the core or a feature (``Feature.events``);
staff choose its recipients — one staff member and/or a team mailbox — and optionally a
staff-edited email template on the Portal settings screen (stored as NotificationRoute rows).
An event nobody is set to hear about sends nothing.
"""
from __future__ import annotations

from sqlalchemy import select

from portal import settings
from portal.extensions import db
from portal.features import registry
from portal.models import Company, EmailTemplate, NotificationRoute, OutboxEmail, User
from portal.services import mailer


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


def notify(kind: str, summary: str, *, company: Company | None = None, contact: User | None = None,
           link: str = "", contact_name: str = "", contact_email: str = "") -> list[OutboxEmail]:
    """Queue the notice for this kind's recipients (in the caller's transaction). The contact is an
    account, or a name and address (someone invited who has not accepted yet)."""
    declared = kinds()
    if kind not in declared:
        raise KeyError(f"undeclared staff notification {kind!r}")
    route = db.session.execute(select(NotificationRoute).filter_by(kind=kind)).scalar_one_or_none()
    template: EmailTemplate | None = route.template if route is not None else None
    context = {"event": declared[kind], "summary": summary, "company_name": company.name if company else "",
               "contact_name": contact.name if contact else contact_name,
               "contact_email": contact.email if contact else contact_email,
               "link": link}
    return [mailer.send("staff_notice", to, template=template, **context) for to in recipients(route)]


def notify_about_contact(kind: str, summary: str, contact: User, company: Company | None) -> list[OutboxEmail]:
    """A notice about one contact, linking to the contact's record in the back office."""
    return notify(kind, summary, company=company, contact=contact,
                  link=mailer.external_url("admin_user.edit_view", id=contact.id))
