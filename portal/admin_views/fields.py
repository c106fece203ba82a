"""Form building blocks for staff screens: read-only and password fields, enum selects with labels.

CSRF: Flask-Admin's templates add Flask-WTF's csrf_token() to every form they render, and the global
CSRFProtect checks it on every POST, so the forms themselves need no CSRF field."""
from __future__ import annotations

from datetime import datetime
from enum import Enum

from flask_admin import form as admin_form
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.model.form import converts
from markupsafe import Markup, escape
from wtforms import PasswordField, StringField
from wtforms.validators import AnyOf, Optional, ValidationError

from portal.services.passwords import weaknesses
from portal.web import status_label


class ReadOnlyField(StringField):
    """Shows a stored value (document number, computed total) that the form never writes."""

    def __init__(self, label=None, **kwargs):
        render_kw = {"readonly": True, "aria-readonly": "true", **kwargs.pop("render_kw", {})}
        super().__init__(label, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):  # whatever was posted is ignored
        pass

    def _value(self):
        if isinstance(self.data, datetime):
            return self.data.strftime("%Y-%m-%d %H:%M")
        return "" if self.data is None else str(self.data)

    def populate_obj(self, obj, name):
        pass


def strong_password(form, field) -> None:
    """The portal's password rule (portal.services.passwords), shown at the field."""
    email = getattr(getattr(form, "email", None), "data", None) or ""
    name = getattr(getattr(form, "name", None), "data", None) or ""
    problems = weaknesses(field.data or "", email=email, name=name)
    if problems:
        raise ValidationError(" ".join(problems))


class SetPasswordField(PasswordField):
    """A new password to hash onto the user; blank keeps the current one."""

    def __init__(self, label="Set password", **kwargs):
        kwargs.setdefault("validators", [Optional(), strong_password])
        kwargs.setdefault("description", "At least 10 characters. Leave blank to keep the current password.")
        kwargs.setdefault("render_kw", {"autocomplete": "new-password"})
        super().__init__(label, **kwargs)

    def populate_obj(self, obj, name):  # the view hashes it; never store the plain text
        pass


BLANK = "— none —"


def enum_choices(names) -> list[tuple[str, str]]:
    return [(name, status_label(name)) for name in names]


class PortalModelConverter(AdminModelConverter):
    """Flask-Admin's converter, with enums offered by readable label ("Partially shipped") and an
    empty choice that reads as such."""

    def _model_select_field(self, prop, multiple, remote_model, **kwargs):
        if not multiple:
            kwargs.setdefault("blank_text", BLANK)
        return super()._model_select_field(prop, multiple, remote_model, **kwargs)

    @converts("sqlalchemy.sql.sqltypes.Enum")
    def convert_enum(self, column, field_args, **extra):
        names = list(column.type.enums)
        accepted: list = list(names)
        if column.nullable:
            field_args["allow_blank"] = True
            accepted.append(None)
        self._nullable_common(column, field_args)
        field_args["choices"] = enum_choices(names)
        field_args["validators"].append(AnyOf(accepted, message="Choose one of the offered values."))
        field_args["coerce"] = lambda v: v.name if isinstance(v, Enum) else str(v)
        return admin_form.Select2Field(**field_args)


def badge(value) -> Markup:
    name = getattr(value, "value", value)
    return Markup(f'<span class="badge badge-light status-{escape(name)}">{escape(status_label(value))}</span>')
