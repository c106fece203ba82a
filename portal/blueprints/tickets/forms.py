"""The customer's ticket forms; the rules (lengths, categories, files) are portal.services.tickets'."""
from wtforms import BooleanField, MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.forms import PortalForm
from portal.models import TicketStatus
from portal.services.tickets import BODY_LIMIT, CATEGORIES, MAX_FILES, SUBJECT_LIMIT

FILES_HINT = f"Up to {MAX_FILES} files: PDF, PNG, JPEG, plain text or CSV, at most 5 MB each."
PRIORITIES = (("low", "Low"), ("normal", "Normal"), ("high", "High"))


class NewTicketForm(PortalForm):
    subject = StringField("Subject", validators=[InputRequired("Give the ticket a subject."),
                                                 Length(max=SUBJECT_LIMIT, message="Keep the subject shorter.")])
    category = SelectField("What is it about?", choices=CATEGORIES, validate_choice=True)
    priority = RadioField("Priority", choices=PRIORITIES, default="normal")
    regarding = SelectField("Regarding (optional)", choices=[], validate_choice=True)
    body = TextAreaField("Message", validators=[InputRequired("Write a message."),
                                                Length(max=BODY_LIMIT, message="Keep the message shorter.")])
    files = MultipleFileField("Attachments", description=FILES_HINT)
    shared = BooleanField("My colleagues may see this ticket", default=True)


class ReplyForm(PortalForm):
    body = TextAreaField("Your reply", validators=[InputRequired("Write a message."),
                                                   Length(max=BODY_LIMIT, message="Keep the message shorter.")])
    files = MultipleFileField("Attachments", description=FILES_HINT)


class CloseForm(PortalForm):
    pass


STATUS_FILTERS = (("", "All"), ("active", "Open"), *((s.value, s.value.replace("_", " ").capitalize())
                                                      for s in TicketStatus))
