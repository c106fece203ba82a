"""What every staff screen shares: staff-only access, friendly errors, money, totals, audit."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from flask import abort, flash, redirect, request, url_for
from flask_admin.actions import action
from flask_admin.babel import gettext, lazy_gettext
from flask_admin.contrib.sqla import ModelView
from flask_admin.model.form import InlineFormAdmin
from flask_login import current_user
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from wtforms.validators import Email, InputRequired, NumberRange, Optional, ValidationError

from portal import settings
from portal.admin_views.errors import integrity_message
from portal.admin_views.fields import PortalModelConverter, ReadOnlyField
from portal.admin_views.filters import PortalFilterConverter
from portal.admin_views.formatting import (
    DETAIL_TYPE_FORMATTERS,
    EXPORT_TYPE_FORMATTERS,
    LIST_TYPE_FORMATTERS,
    money_columns,
    money_formatter,
    numeric_columns,
    percent_formatter,
)
from portal.admin_views.return_urls import checked_redirect, drop_unsafe_return_target
from portal.admin_views.strict_args import StrictRequestArgs
from portal.extensions import db
from portal.forms import BackOfficeForm
from portal.permissions import current_actor
from portal.routing import parse_id
from portal.services import audit, csv_files
from portal.services.errors import RuleError
from portal.services.totals import recompute_totals

EMAIL_COLUMNS = ("email", "team_email", "to_address")


# --- access ----------------------------------------------------------------------------------------

def staff_only() -> bool:
    return current_user.is_authenticated and current_user.is_staff


def refuse():
    """Anonymous: to the sign-in page and back; anyone else who is not staff: 403."""
    if not current_user.is_authenticated:
        return redirect(url_for("core.login", next=request.full_path.rstrip("?")))
    abort(403, description="The back office is for staff only.")


class StaffAccess:
    """Mixed into every admin view (index, model screens, settings, custom expose() routes)."""

    #: the feature that declared this screen (set at start-up): in the menu only while it is on
    feature_key: str | None = None

    def is_accessible(self) -> bool:
        return staff_only()

    def is_visible(self) -> bool:
        return self.feature_key is None or settings.is_enabled(self.feature_key)

    def inaccessible_callback(self, name, **kwargs):
        return refuse()

    def _run_view(self, fn, *args, **kwargs):
        """Every exposed view: an unsafe `url=` return target is dropped first, redirects are checked after."""
        drop_unsafe_return_target()
        return checked_redirect(super()._run_view(fn, *args, **kwargs))


# --- form arguments derived from the model -----------------------------------------------------------

def _max_decimals(places: int):
    quantum = Decimal(1).scaleb(-places)

    def check(form, field):
        if field.data is not None and field.data != field.data.quantize(quantum):
            raise ValidationError(f"Use at most {places} decimals.")

    return check


def _lower(value):
    return value.strip().lower() if isinstance(value, str) else value


def model_form_args(model) -> dict:
    """Validators every form of this model needs: no negative amounts, percentages 0-100, real emails."""
    args: dict = {}
    for key, kind in numeric_columns(model).items():
        if kind.precision == 5:  # PERCENT
            rules = [NumberRange(min=0, max=100, message="Must be between 0 and 100.")]
        else:
            rules = [NumberRange(min=0, message="Must be zero or more.")]
        if kind.scale is not None:
            rules.append(_max_decimals(kind.scale))
        args[key] = {"validators": rules}
    columns = {c.key: c for c in inspect(model).columns}
    for key in EMAIL_COLUMNS:
        if key in columns:
            first = Optional() if columns[key].nullable else InputRequired()
            args[key] = {"validators": [first, Email(message="Enter a valid email address.")],
                         "filters": [_lower]}
    return args


def merge_form_args(*dicts) -> dict:
    merged: dict = {}
    for d in dicts:
        for key, value in (d or {}).items():
            target = merged.setdefault(key, {})
            for arg, item in value.items():
                if arg in ("validators", "filters"):
                    target[arg] = list(target.get(arg, [])) + list(item)
                else:
                    target[arg] = item
    return merged


class StaffInline(InlineFormAdmin):
    """An inline child form (lines, prices, events) with the model's validators applied."""

    def __init__(self, model, **kwargs):
        kwargs["form_args"] = merge_form_args(model_form_args(model), kwargs.get("form_args"))
        super().__init__(model, **kwargs)


LINE_COLUMNS = ("position", "product", "description", "quantity", "unit_price", "discount_percent", "tax_rate")


def line_inline(model, **kwargs) -> StaffInline:
    """Document lines: line_total is computed, never typed."""
    kwargs.setdefault("form_columns", ("id",) + LINE_COLUMNS)
    kwargs.setdefault("form_label", "Lines")
    kwargs.setdefault("form_args", {"position": {"label": "#"}})
    # a catalog can be thousands of products: search them as you type instead of one huge <select>
    kwargs.setdefault("form_ajax_refs", {"product": {"fields": ("sku", "name"), "page_size": 20,
                                                     "placeholder": "Type a SKU or product name"}})
    return StaffInline(model, **kwargs)


# --- the base model view -----------------------------------------------------------------------------

class StaffModelView(StaffAccess, StrictRequestArgs, ModelView):
    """Base of every staff model screen.

    Endpoint ``admin_<slug>`` and URL ``/admin/<slug>/`` (slug defaults to the table name, with
    dashes); money columns shown with their currency; enums as labels; numbers and emails validated;
    database conflicts reported as a sentence; changes audited.
    """

    page_size = 50
    can_set_page_size = True
    can_view_details = True
    can_export = True
    export_types = ["csv"]
    named_filter_urls = True
    model_form_converter = PortalModelConverter
    form_base_class = BackOfficeForm
    filter_converter = PortalFilterConverter()
    column_type_formatters = LIST_TYPE_FORMATTERS
    column_type_formatters_detail = DETAIL_TYPE_FORMATTERS
    column_type_formatters_export = EXPORT_TYPE_FORMATTERS
    column_labels = {"created_dt": "Created", "is_active_flag": "Active"}
    #: shown read-only on the edit form, left out of the create form, never written by a form
    readonly_columns: tuple[str, ...] = ()
    #: relationship holding the priced lines; saving recomputes line and document totals
    document_lines: str | None = None
    #: new documents take the currency of their company
    currency_from_company: bool = False

    def __init__(self, model, name: str | None = None, category: str | None = None, slug: str | None = None,
                 **kwargs):
        slug = slug or model.__tablename__
        self.thing = model.__tablename__.replace("_", " ")
        self._configure(model)
        super().__init__(model, db, name=name, category=category, endpoint=f"admin_{slug}",
                         url=slug.replace("_", "-"), **kwargs)

    def _configure(self, model) -> None:
        formatters = {key: money_formatter for key in money_columns(model)}
        formatters.update({key: percent_formatter for key, kind in numeric_columns(model).items()
                           if kind.precision == 5})
        formatters.update(self._merged("column_formatters"))
        self.column_formatters = formatters
        self.column_labels = self._merged("column_labels")
        if self.column_default_sort is None:
            columns = {c.key for c in inspect(model).columns}
            newest = next((c for c in ("created_dt", "placed_dt", "occurred_dt") if c in columns), "id")
            self.column_default_sort = [(newest, True), ("id", True)] if newest != "id" else ("id", True)
        self.form_args = merge_form_args(model_form_args(model), self._merged("form_args"))
        if self.readonly_columns:
            extra = dict(type(self).form_extra_fields or {})
            for key in self.readonly_columns:
                extra.setdefault(key, ReadOnlyField(self.column_labels.get(key) or key.replace("_", " ").capitalize()))
            self.form_extra_fields = extra
            if self.form_columns:
                # The document number heads the form; computed values follow what staff edit.
                rest = [c for c in self.form_columns if c not in self.readonly_columns]
                first = [c for c in self.readonly_columns if c == "number"]
                last = [c for c in self.readonly_columns if c != "number"]
                self.form_columns = [*first, *rest, *last]
            else:
                self.form_excluded_columns = [*(self.form_excluded_columns or ()), *self.readonly_columns]

    def _merged(self, attr: str) -> dict:
        """A dict attribute merged along the class hierarchy (subclasses win)."""
        merged: dict = {}
        for cls in reversed(type(self).__mro__):
            value = vars(cls).get(attr)
            if isinstance(value, dict):  # Flask-Admin keeps descriptors for some obsolete names
                merged.update(value)
        return merged

    def _get_filter_groups(self):
        """Filter choices that come from the database (companies, staff) are read per request."""
        groups = super()._get_filter_groups()
        for items in (groups or {}).values():
            for item in items:
                flt = self._filters[item["index"]]
                if callable(flt.options):
                    item["options"] = [(k, str(v)) for k, v in flt.get_options(self)] or None
        return groups

    def get_create_form(self):
        form_class = self.get_form()
        if not self.readonly_columns:
            return form_class
        return type(f"New{form_class.__name__}", (form_class,), dict.fromkeys(self.readonly_columns))

    # --- saving -------------------------------------------------------------------------------------

    def on_model_change(self, form, model, is_created: bool) -> None:
        if is_created and self.currency_from_company and getattr(model, "company", None) is not None:
            model.currency = model.company.currency
        if self.document_lines:
            self.recompute(model)
        self.record_change(model, "admin.create" if is_created else "admin.update")

    def recompute(self, document) -> None:
        """Drop lines removed in this form, number the rest, recompute line and document totals."""
        lines = getattr(document, self.document_lines)
        for line in [ln for ln in lines if ln in db.session.deleted]:
            lines.remove(line)
        for index, line in enumerate(lines, start=1):
            if not line.position:
                line.position = index
        recompute_totals(document, lines)

    def record_change(self, model, action: str) -> None:
        changed = sorted(a.key for a in inspect(model).attrs if a.history.has_changes())
        db.session.flush()  # gives a new row its id (and surfaces constraint errors here)
        audit.record(action, model, actor=current_actor(), screen=self.name, fields=",".join(changed))

    def on_model_delete(self, model) -> None:
        self.record_change(model, "admin.delete")

    # --- exports ------------------------------------------------------------------------------------

    def _export_csv(self, return_url):
        """The list as CSV through the app's one writer, built while the request's session is open.

        Flask-Admin streams its export after the request has ended, when lazy relationships can no
        longer load (a server error mid-download); and it writes cells unescaped.
        """
        _count, data = self._export_data()
        columns = self._export_columns
        rows = [[self.get_export_value(row, name) for name, _label in columns] for row in data]
        return csv_files.download(csv_files.render([label for _name, label in columns], rows),
                                  self.get_export_name(export_type="csv"))

    def _export_tablib(self, export_type, return_url):
        abort(404)  # only CSV is offered (export_types), and only through the one writer

    @action("delete", lazy_gettext("Delete"), lazy_gettext("Are you sure you want to delete selected records?"))
    def action_delete(self, ids):
        """Flask-Admin's bulk delete, with the row ids as integers: PostgreSQL compares no integer key with
        the text Flask-Admin posts (``id IN ('1')`` fails there)."""
        return super().action_delete(tuple(int(i) if str(i).isdigit() else i for i in ids))

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, IntegrityError):
            db.session.rollback()
            flash(integrity_message(exc, self.thing), "error")
            return True
        return super().handle_view_exception(exc)


class ReadOnlyModelView(StaffModelView):
    """Logs and the outbox: look, filter, export; never create, edit or delete."""

    can_create = False
    can_edit = False
    can_delete = False


def field_error(form, field_name: str, message: str) -> None:
    """Attach an error to a form field and stop the save (the form is shown again with it)."""
    field = getattr(form, field_name, None)
    if field is not None:
        field.errors = [*field.errors, message]
    raise ValidationError(message if field is None else gettext("Please correct the marked fields."))


@contextmanager
def obey(form) -> Iterator[None]:
    """Run business rules (services) for a form: a refusal becomes that field's error and stops the save."""
    try:
        yield
    except RuleError as exc:
        field_error(form, exc.field or "", str(exc))


def selected_ids(ids) -> list[int]:
    """The row ids posted by a list action, as integers (anything else is ignored)."""
    return [i for i in map(parse_id, ids or ()) if i is not None]
