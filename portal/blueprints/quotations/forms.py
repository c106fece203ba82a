"""The client's answers on a quote page."""
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import Length

from portal.forms import PortalForm
from portal.services.quote_answers import MESSAGE_LIMIT
from portal.services.quote_snapshot import CONSENT_TEXT


class ChangesForm(PortalForm):
    body = TextAreaField("What would you like us to change?",
                         validators=[Length(max=MESSAGE_LIMIT, message="Keep the message shorter.")])


class DeclineForm(PortalForm):
    reason = TextAreaField("Reason (optional)", validators=[Length(max=MESSAGE_LIMIT,
                                                                   message="Keep the reason shorter.")])


class AcceptForm(PortalForm):
    """The typed-name e-signature; its rules (and the ticked optional lines) are services.quote_acceptance's."""

    name = StringField("Your full name")
    email = StringField("Your email")
    consent = BooleanField(CONSENT_TEXT)
    revision = HiddenField()
