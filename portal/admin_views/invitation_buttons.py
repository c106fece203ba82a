"""The per-contact invitation buttons (send or resend, copy link, revoke) of the Invitations screen,
also shown in the Invitations panel of a company record. They post to the Invitations screen, which
returns to the page they were pressed on."""
from __future__ import annotations

from flask import request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from portal.models import InvitationState, User

#: the Invitations screen's endpoint (portal.admin_views.invitations)
SCREEN = "admin_invitations"


def _button(endpoint: str, user: User, label: str, hint: str, style: str = "secondary", confirm: str = "") -> Markup:
    # the confirmation is asked by static/admin.js: the back office runs no inline script
    asks = Markup(f' data-confirm="{escape(confirm)}"') if confirm else ""
    return Markup(
        f'<form method="post" action="{escape(url_for(f"{SCREEN}.{endpoint}"))}" class="d-inline"{asks}>'
        f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">'
        f'<input type="hidden" name="user_id" value="{user.id}">'
        f'<input type="hidden" name="url" value="{escape(request.full_path.rstrip("?"))}">'
        f'<button type="submit" class="btn btn-sm btn-outline-{style}" aria-label="{escape(hint)}">'
        f'{escape(label)}</button></form>'
    )


def invitation_buttons(user: User) -> Markup:
    """Send invitation (or Resend), Copy link and Revoke, as the contact's state allows."""
    state = user.invitation_state
    accepted = state == InvitationState.accepted and user.portal_access
    buttons = []
    if not accepted:
        label = "Resend" if state == InvitationState.invited else "Send invitation"
        buttons.append(_button("resend", user, label, f"{label} to {user.name}", "primary"))
        buttons.append(_button("copy_link", user, "Copy link", f"Copy link: a new invitation link for {user.name}",
                               "dark"))
    if user.portal_access or state in (InvitationState.invited, InvitationState.accepted):
        buttons.append(_button("revoke", user, "Revoke", f"Revoke portal access of {user.name}", "danger",
                               confirm=f"Revoke portal access of {user.name}? Open sessions end at once."))
    return Markup(" ").join(buttons)
