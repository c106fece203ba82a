from portal import create_app
from portal.startup_checks import exit_on_refusal

app = exit_on_refusal(create_app)
