"""What happened: the audit trail and portal engagement events (read-only)."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from markupsafe import Markup, escape

from portal.admin_views.base import ReadOnlyModelView
from portal.admin_views.filters import company_filter
from portal.extensions import db
from portal.models import AuditLog, Company, PortalEvent, User

LOGS = "Logs"


def _details(view, context, model, name):
    data = getattr(model, name) or {}
    return Markup("<br>".join(f"{escape(k)}: {escape(v)}" for k, v in sorted(data.items())))


def _lookup(model_class):
    def formatter(view, context, model, name):
        obj = db.session.get(model_class, getattr(model, name)) if getattr(model, name) else None
        return getattr(obj, "name", "") if obj is not None else ""

    return formatter


def _subject(view, context, model, name):
    kind, ident = (model.object_type, model.object_id) if isinstance(model, AuditLog) else (
        model.subject_type, model.subject_id)
    return f"{kind} #{ident}" if kind else ""


class AuditLogAdmin(ReadOnlyModelView):
    column_list = ("created_dt", "actor", "acting_rep_id", "company", "action", "object", "details")
    column_details_list = ("created_dt", "actor", "acting_rep_id", "company", "action", "object", "details", "ip")
    column_searchable_list = ("action", "object_type", "ip")
    column_filters = ("action", company_filter(AuditLog.company_id), "object_type", "created_dt")
    column_formatters = {"details": _details, "object": _subject, "acting_rep_id": _lookup(User)}
    column_labels = {"created_dt": "When", "actor": "Who", "acting_rep_id": "Acting rep", "company": "For company",
                     "object": "What"}


class PortalEventAdmin(ReadOnlyModelView):
    column_list = ("created_dt", "kind", "company_id", "user_id", "acting_rep_id", "subject", "ip")
    column_details_list = ("created_dt", "kind", "company_id", "user_id", "acting_rep_id", "subject", "ip",
                           "user_agent", "data")
    column_searchable_list = ("kind", "subject_type", "ip")
    column_filters = ("kind", company_filter(PortalEvent.company_id), "subject_type", "created_dt")
    column_formatters = {"data": _details, "subject": _subject, "company_id": _lookup(Company),
                         "user_id": _lookup(User), "acting_rep_id": _lookup(User)}
    column_labels = {"created_dt": "When", "company_id": "Company", "user_id": "User", "acting_rep_id": "Acting rep"}


def views():
    return [
        AuditLogAdmin(AuditLog, "Audit log", LOGS),
        PortalEventAdmin(PortalEvent, "Portal events", LOGS),
    ]
