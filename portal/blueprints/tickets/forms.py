"""The customer's ticket forms; the rules (lengths, categories, files) are portal.services.tickets'."""
from flask_babel import LazyString
from wtforms import BooleanField, MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.forms import PortalForm
from portal.i18n import lazy_text as _l
from portal.models import TicketStatus
from portal.services.tickets import BODY_LIMIT, CATEGORIES, MAX_FILES, SUBJECT_LIMIT
from portal.web import status_label

FILES_HINT = _l("Up to %(count)s files: PDF, PNG, JPEG, plain text or CSV, at most 5 MB each.", count=MAX_FILES)
PRIORITIES = (("low", _l("Low")), ("normal", _l("Normal")), ("high", _l("High")))
#: the categories as offered, in the reader's language
CATEGORY_CHOICES = tuple((key, _l(label)) for key, label in CATEGORIES)


class NewTicketForm(PortalForm):
    subject = StringField(_l("Subject"), validators=[InputRequired(_l("Give the ticket a subject.")),
                                                     Length(max=SUBJECT_LIMIT, message=_l("Keep the subject shorter."))])
    category = SelectField(_l("What is it about?"), choices=CATEGORY_CHOICES, validate_choice=True)
    priority = RadioField(_l("Priority"), choices=PRIORITIES, default="normal")
    regarding = SelectField(_l("Regarding (optional)"), choices=[], validate_choice=True)
    body = TextAreaField(_l("Message"), validators=[InputRequired(_l("Write a message.")),
                                                    Length(max=BODY_LIMIT, message=_l("Keep the message shorter."))])
    files = MultipleFileField(_l("Attachments"), description=FILES_HINT)
    shared = BooleanField(_l("My colleagues may see this ticket"), default=True)


class ReplyForm(PortalForm):
    body = TextAreaField(_l("Your reply"), validators=[InputRequired(_l("Write a message.")),
                                                       Length(max=BODY_LIMIT, message=_l("Keep the message shorter."))])
    files = MultipleFileField(_l("Attachments"), description=FILES_HINT)


class CloseForm(PortalForm):
    pass


STATUS_FILTERS = (("", _l("All")), ("active", _l("Open")),
                  *((s.value, LazyString(status_label, s)) for s in TicketStatus))
