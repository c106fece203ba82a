"""List filters shared by staff screens: enum labels, pick a company, overdue invoices."""
from __future__ import annotations

from flask import has_app_context, url_for
from flask_admin.contrib.sqla.filters import BaseSQLAFilter, FilterConverter, FilterEqual
from flask_admin.model import filters
from sqlalchemy import select

from portal.admin_views.fields import enum_choices
from portal.extensions import db
from portal.models import Company, Invoice, User, UserKind
from portal.routing import parse_id
from portal.services import receivables


class PortalFilterConverter(FilterConverter):
    @filters.convert("enum")
    def conv_enum(self, column, name, options=None, **kwargs):
        if not options:
            options = enum_choices(column.type.enums)
        return [f(column, name, options, **kwargs) for f in self.enum]


def company_options(suppliers: bool | None = None):
    def options():
        if not has_app_context():  # Flask-Admin asks once at start-up; lists are refreshed per request
            return []
        query = select(Company.id, Company.name, Company.code).order_by(Company.name)
        if suppliers is True:
            query = query.where(Company.is_supplier.is_(True))
        elif suppliers is False:
            query = query.where(Company.is_customer.is_(True))
        return [(str(i), f"{name} ({code})") for i, name, code in db.session.execute(query)]

    return options


def staff_options():
    if not has_app_context():
        return []
    query = select(User.id, User.name).where(User.kind == UserKind.staff).order_by(User.name)
    return [(str(i), name) for i, name in db.session.execute(query)]


class IdEqualFilter(FilterEqual):
    """Equality on an integer foreign key chosen from a list (company, assignee)."""

    def validate(self, value) -> bool:
        return parse_id(value) is not None

    def clean(self, value) -> int:
        return parse_id(value)


def company_filter(column, suppliers: bool | None = None, name: str = "Company") -> IdEqualFilter:
    return IdEqualFilter(column, name, options=company_options(suppliers))


class OverdueFilter(BaseSQLAFilter):
    """Open or partly paid invoices past their due date."""

    def __init__(self, name: str = "Overdue"):
        super().__init__(Invoice.due_date, name, options=(("yes", "Overdue"), ("no", "Not overdue")))

    def apply(self, query, value, alias=None):
        overdue = receivables.overdue_clause()
        return query.filter(overdue if value == "yes" else ~overdue)

    def operation(self):
        return "is"


def filter_arg(view, column_key: str, filter_class: type) -> str:
    """The URL argument of a view's filter, found by column and filter class."""
    for arg, (_, flt) in view._filter_args.items():
        column = getattr(flt, "column", None)
        if isinstance(flt, filter_class) and getattr(column, "key", None) == column_key:
            return f"flt0_{arg}"
    raise LookupError(f"{view.endpoint} has no {filter_class.__name__} on {column_key}")


def filtered_url(view, column_key: str, filter_class: type, value) -> str:
    """URL of a view's list with one filter applied (value may be a list for 'in list' filters)."""
    if isinstance(value, list | tuple | set):
        value = ",".join(str(getattr(v, "value", v)) for v in value)
    return url_for(f"{view.endpoint}.index_view", **{filter_arg(view, column_key, filter_class): value})
