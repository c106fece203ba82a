from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.forms import PortalForm
from portal.services.passwords import MAX_LENGTH, MIN_LENGTH


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class LoginForm(PortalForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
                       filters=[_strip])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    next = HiddenField()
    submit = SubmitField("Sign in")


class EmailForm(PortalForm):
    """Ask for a sign-in or password-reset link."""

    email = EmailField("Email", validators=[DataRequired(message="Enter your email address."),
                                            Email(check_deliverability=False, message="Enter a valid email address."),
                                            Length(max=254)],
                       filters=[_strip])


class NewPasswordForm(PortalForm):
    """Choose a password (invitation, reset); the strength rule is applied by the service."""

    password = PasswordField("New password", validators=[DataRequired(message="Choose a password."),
                                                         Length(max=MAX_LENGTH)],
                             description=f"At least {MIN_LENGTH} characters. A few unrelated words work well.")
    confirm = PasswordField("Repeat the password", validators=[
        DataRequired(message="Repeat the password."),
        EqualTo("password", message="The two passwords do not match."),
    ])


class ConfirmForm(PortalForm):
    """A button that POSTs (a link opened by a mail scanner must not use up a token)."""


class JoinForm(NewPasswordForm):
    """Accept an invitation to join a company with an address nobody uses yet: a name and a password."""

    name = StringField("Your name", validators=[DataRequired(message="Enter your name."), Length(max=120)],
                       filters=[_strip])
