"""Staff notifications: who on the staff side hears about an event, and the email they get.

Each kind of event is declared once (core ones here, a feature's in ``Feature.notifications``);
staff choose its recipients — one staff member and/or a team mailbox — and optionally a
staff-edited email template on the Portal settings screen (stored as NotificationRoute rows).
An event nobody is set to hear about sends nothing.
"""
from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Company, EmailTemplate, NotificationRoute, OutboxEmail, User

CORE_NOTICES: dict[str, str] = {
    "invitation_accepted": "A contact accepted an invitation",
    "colleague_invited": "A customer's admin invited a colleague",
    "colleague_removed": "A customer's admin removed a colleague's access",
}


def kinds() -> dict[str, str]:
    """Every declared kind of staff notification -> what happened, core ones first."""
    from portal.features import registry

    declared = dict(CORE_NOTICES)
    for feature in registry():
        declared.update(feature.notifications)
    return declared


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
           link: str = "") -> list[OutboxEmail]:
    """Queue the notice for this kind's recipients (in the caller's transaction)."""
    from portal.services import mailer

    declared = kinds()
    if kind not in declared:
        raise KeyError(f"undeclared staff notification {kind!r}")
    route = db.session.execute(select(NotificationRoute).filter_by(kind=kind)).scalar_one_or_none()
    template: EmailTemplate | None = route.template if route is not None else None
    context = {"event": declared[kind], "summary": summary, "company_name": company.name if company else "",
               "contact_name": contact.name if contact else "", "contact_email": contact.email if contact else "",
               "link": link}
    return [mailer.send("staff_notice", to, template=template, **context) for to in recipients(route)]


def notify_about_contact(kind: str, summary: str, contact: User, company: Company | None) -> list[OutboxEmail]:
    """A notice about one contact, linking to the contact's record in the back office."""
    from portal.services import mailer

    return notify(kind, summary, company=company, contact=contact,
                  link=mailer.external_url("admin_user.edit_view", id=contact.id))
