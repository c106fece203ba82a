"""The client's answers on a quote page."""
from wtforms import TextAreaField
from wtforms.validators import Length

from portal.forms import PortalForm
from portal.services.quote_answers import MESSAGE_LIMIT


class ChangesForm(PortalForm):
    body = TextAreaField("What would you like us to change?",
                         validators=[Length(max=MESSAGE_LIMIT, message="Keep the message shorter.")])


class DeclineForm(PortalForm):
    reason = TextAreaField("Reason (optional)", validators=[Length(max=MESSAGE_LIMIT,
                                                                   message="Keep the reason shorter.")])
