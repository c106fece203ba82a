"""Admin screens whose save can give contacts portal access to a company (contact record, company record,
Memberships): the contacts given a company are emailed a welcome with a sign-in link
(portal.services.portal_logins decides who)."""
from __future__ import annotations

from flask import flash

from portal.extensions import db
from portal.permissions import current_actor
from portal.services import portal_logins


class WelcomesNewAccess:
    """Mixed into a StaffModelView: takes what contacts had before the form changes anything, and after
    the change (call welcome_new_access at the end of on_model_change) emails those given more."""

    def contacts_touched(self, form, model) -> set[int]:
        """Ids of the contacts this save may give a company (model is None before a create)."""
        raise NotImplementedError

    def update_model(self, form, model):
        form.granted_before = portal_logins.granted(self.contacts_touched(form, model))
        return super().update_model(form, model)

    def create_model(self, form):
        form.granted_before = portal_logins.granted(self.contacts_touched(form, None))
        return super().create_model(form)

    def welcome_new_access(self, form, model) -> None:
        db.session.flush()  # a new record gets its id
        before = getattr(form, "granted_before", {})
        welcomed = portal_logins.welcome_new(before, set(before) | self.contacts_touched(form, model),
                                             current_actor())
        if welcomed:
            flash("Welcome email with a sign-in link sent to "
                  + ", ".join(f"{u.name} ({u.email})" for u in welcomed) + ".", "info")


def inline_users(form, relation: str) -> set[int]:
    """The contacts chosen in an inline list of memberships (as posted)."""
    ids = set()
    for entry in getattr(form, relation, None) or ():
        user = getattr(getattr(getattr(entry, "form", None), "user", None), "data", None)
        if user is not None and getattr(user, "id", None) is not None:
            ids.add(user.id)
    return ids
