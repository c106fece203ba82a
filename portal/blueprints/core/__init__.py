"""Always-on pages: sign in and out, account, dashboard, company switching, rep customer picker.

The core is declared like a feature that cannot be switched off: its permissions, default grants,
emails, staff events, document numbers, dashboard block and isolation factories are read from the
same registry as every feature's.
"""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from portal.blueprints.core import isolation
from portal.blueprints.core.blocks import credit_position
from portal.contract import ActivityKind, Block, EmailKind, Feature, IsolationArg
from portal.i18n import N_

bp = Blueprint("core", __name__)

_LINK = ("recipient_name", "link", "expires_minutes")

feature = Feature(
    key="core",
    label="Core",
    description="Sign-in, account, dashboard, company users",
    blueprint=bp,
    url_prefix="",
    always_on=True,
    permissions={
        "dashboard.view": N_("See the dashboard"),
        "company.users.manage": N_("Invite colleagues, change their roles, remove access"),
        "account.addresses.manage": N_("Edit the company's address book"),
    },
    grants={
        "Admin": {"dashboard.view", "company.users.manage", "account.addresses.manage"},
        "Buyer": {"dashboard.view", "account.addresses.manage"},
        "Viewer": {"dashboard.view"},
        "Finance": {"dashboard.view"},
    },
    dashboard=(Block("core/_credit.html", credit_position, permission="dashboard.view", area="stats"),),
    emails={
        "invitation": EmailKind("Invitation to the portal", "email/invitation", placeholders=(
            "recipient_name", "company_name", "invited_by_name", "link", "expires_days")),
        "welcome": EmailKind("Welcome, access granted", "email/welcome", placeholders=(
            "recipient_name", "company_name", "login_url")),
        "company_invitation": EmailKind("Invitation to join a company (sent by a customer's admin)",
                                        "email/company_invitation", placeholders=(
                                            "recipient_name", "company_name", "role_name", "invited_by_name",
                                            "link", "expires_days")),
        "access_granted": EmailKind("Portal access switched on by staff (with a sign-in link)",
                                    "email/access_granted", placeholders=(
                                        "recipient_name", "company_name", "sign_in_link_url", "login_url",
                                        "has_password")),
        "magic_link": EmailKind("Sign-in link", "email/magic_link", placeholders=_LINK),
        "password_reset": EmailKind("Password reset link", "email/password_reset", placeholders=_LINK),
        "password_changed": EmailKind("Password changed notice", "email/password_changed", placeholders=(
            "recipient_name", "reset_link")),
        "staff_notice": EmailKind("Staff notification", "email/staff_notice", placeholders=(
            "recipient_name", "event", "summary", "company_name", "contact_name", "contact_email", "link")),
    },
    events={
        "invitation_accepted": "A contact accepted an invitation",
        "colleague_invited": "A customer's admin invited a colleague",
        "colleague_removed": "A customer's admin removed a colleague's access",
    },
    isolation={
        "address_id": isolation.make_address,
        "user_id": isolation.make_member,
        "invitation_id": isolation.make_invitation,
        # Links from emails: a token that matches nothing (the pages must explain, not fail).
        "token": IsolationArg(owner="opaque"),
    },
    activity={
        "signed_in": ActivityKind(_l("Signed in"), marks="sign_in"),
        # a rep's working for the customer is not the customer's own activity
        "rep_acted_for": ActivityKind(_l("A sales rep started working for the company"), customer=False),
    },
)

from portal.blueprints.core import (  # noqa: F401
    access,
    account,
    auth,
    brand,
    company_invitations,
    company_users,
    dashboard,
    health,
    notifications,
)
