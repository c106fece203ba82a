from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.forms import PortalForm
from portal.services.passwords import MAX_LENGTH, MIN_LENGTH


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class LoginForm(PortalForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
                       filters=[_strip])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class EmailForm(PortalForm):
    """Ask for a sign-in or password-reset link."""

    email = EmailField(_l("Email"), validators=[DataRequired(message=_l("Enter your email address.")),
                                            Email(check_deliverability=False, message=_l("Enter a valid email address.")),
                                            Length(max=254)],
                       filters=[_strip])


class NewPasswordForm(PortalForm):
    """Choose a password (invitation, reset); the strength rule is applied by the service."""

    password = PasswordField(_l("New password"), validators=[DataRequired(message=_l("Choose a password.")),
                                                         Length(max=MAX_LENGTH)],
                             description=f"At least {MIN_LENGTH} characters. A few unrelated words work well.")
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(message=_l("Repeat the password.")),
        EqualTo("password", message=_l("The two passwords do not match.")),
    ])


class ConfirmForm(PortalForm):
    """A button that POSTs (a link opened by a mail scanner must not use up a token)."""


class JoinForm(NewPasswordForm):
    """Accept an invitation to join a company with an address nobody uses yet: a name and a password."""

    name = StringField(_l("Your name"), validators=[DataRequired(message=_l("Enter your name.")), Length(max=120)],
                       filters=[_strip])
