"""What every form of the app shares, whichever library builds it (portal pages, back office).

Control characters are refused for the whole request by portal.input_guard; tab, newline and carriage
return pass it because text areas need them. A one-line text input (names, emails, codes, search
boxes) must not hold them either: a line break in a name ends up in email headers, CSV cells and PDFs.
Browsers cannot type one into such an input, so it only comes from a crafted request: a form error.
"""
from __future__ import annotations

from flask_admin.form import BaseForm
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import ValidationError

LINE_BREAKS = ("\t", "\r", "\n")
ONE_LINE_MESSAGE = "Use a single line (no tabs or line breaks)."


def one_line(form, field) -> None:
    if isinstance(field.data, str) and any(c in field.data for c in LINE_BREAKS):
        raise ValidationError(ONE_LINE_MESSAGE)


class OneLineInputs:
    """Form Meta mixin: every text input that is not a text area gets the one_line check."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        if isinstance(field, StringField) and not isinstance(field, TextAreaField):
            field.validators = [*field.validators, one_line]
        return field


class PortalForm(FlaskForm):
    """Base of every portal form (CSRF from Flask-WTF)."""

    class Meta(OneLineInputs):
        pass


class BackOfficeForm(BaseForm):
    """Base of every back-office model form (StaffModelView.form_base_class)."""

    class Meta(OneLineInputs):
        pass
