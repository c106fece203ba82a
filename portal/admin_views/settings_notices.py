"""The "Notification recipients" part of the Portal settings screen.

One row per kind of staff notification of the core and the enabled features: a staff member, a team mailbox and the email
template to use. Field names are ``notify.<kind>.user|team|template``; values are stored as
NotificationRoute rows (a row with no recipient is removed).
"""
from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from portal.extensions import db
from portal.models import EmailTemplate, NotificationRoute, User, UserKind
from portal.services import staff_notices

PARTS = ("user", "team", "template")


@dataclass
class NoticeRow:
    kind: str
    label: str
    user: str
    team: str
    template: str
    errors: dict[str, str]

    def name(self, part: str) -> str:
        return f"notify.{self.kind}.{part}"


def _staff_choices() -> list[tuple[str, str]]:
    users = db.session.execute(select(User).where(User.kind == UserKind.staff).order_by(User.name)).scalars()
    return [("", "Nobody"), *((str(u.id), f"{u.name} <{u.email}>{'' if u.is_active else ' (inactive: gets nothing)'}")
                              for u in users)]


def _template_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(EmailTemplate).order_by(EmailTemplate.name)).scalars()
    return [("", "Built-in notification email"), *((str(t.id), t.name) for t in rows)]


def choices() -> dict[str, list[tuple[str, str]]]:
    return {"user": _staff_choices(), "template": _template_choices()}


def current() -> dict[str, dict[str, str]]:
    """Stored values per kind, as the form shows them."""
    stored = staff_notices.routes()
    values = {}
    for kind in staff_notices.offered():
        route = stored.get(kind)
        values[kind] = {
            "user": str(route.recipient_user_id or "") if route else "",
            "team": (route.team_email or "") if route else "",
            "template": str(route.template_id or "") if route else "",
        }
    return values


def read(form) -> dict[str, dict[str, str]]:
    return {kind: {part: (form.get(f"notify.{kind}.{part}") or "").strip() for part in PARTS}
            for kind in staff_notices.offered()}


def validate(values: dict[str, dict[str, str]]) -> dict[str, str]:
    """Errors keyed by field name; the wording names the notification."""
    offered = choices()
    labels = staff_notices.offered()
    errors = {}
    for kind, row in values.items():
        label = labels[kind]
        for part in ("user", "template"):
            if row[part] not in {value for value, _ in offered[part]}:
                errors[f"notify.{kind}.{part}"] = f"{label}: choose {'a staff member' if part == 'user' else 'a template'} from the list."
        if row["team"]:
            try:
                row["team"] = validate_email(row["team"], check_deliverability=False).normalized.lower()
            except EmailNotValidError:
                errors[f"notify.{kind}.team"] = f"{label}: the team mailbox is not a valid email address."
    return errors


def save(values: dict[str, dict[str, str]]) -> list[str]:
    """Store validated values (caller commits); returns the kinds that changed."""
    stored = staff_notices.routes()
    changed = []
    for kind, row in values.items():
        route = stored.get(kind)
        wanted = (int(row["user"]) if row["user"] else None, row["team"] or None,
                  int(row["template"]) if row["template"] else None)
        had = (route.recipient_user_id, route.team_email, route.template_id) if route else (None, None, None)
        if wanted == had:
            continue
        changed.append(kind)
        if wanted[0] is None and wanted[1] is None:
            if route is not None:
                db.session.delete(route)
            continue
        if route is None:
            route = NotificationRoute(kind=kind)
            db.session.add(route)
        route.recipient_user_id, route.team_email, route.template_id = wanted
    return changed


def rows(values: dict[str, dict[str, str]], errors: dict[str, str]) -> list[NoticeRow]:
    labels = staff_notices.offered()
    return [NoticeRow(kind, labels[kind], **values[kind],
                      errors={p: errors[f"notify.{kind}.{p}"] for p in PARTS if f"notify.{kind}.{p}" in errors})
            for kind in labels]
