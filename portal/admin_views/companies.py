"""Customers and suppliers, their addresses and who may use the portal for them."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from flask import flash
from flask_admin.actions import action
from sqlalchemy import select
from wtforms.validators import Regexp, ValidationError

from portal.admin_views.base import StaffInline, StaffModelView, selected_ids
from portal.admin_views.fields import badge
from portal.admin_views.filters import company_filter
from portal.admin_views.invitation_buttons import invitation_buttons
from portal.admin_views.welcome import WelcomesNewAccess, inline_users
from portal.extensions import db
from portal.models import Address, Company, Membership, User, UserKind
from portal.permissions import current_actor
from portal.services import portal_access

CUSTOMERS = "Customers"


def contacts():
    return db.session.execute(select(User).where(User.kind == UserKind.contact).order_by(User.name)).scalars()


def reps():
    return db.session.execute(select(User).where(User.kind == UserKind.rep).order_by(User.name)).scalars()


def customers():
    return db.session.execute(select(Company).where(Company.is_customer.is_(True)).order_by(Company.name)).scalars()


def known_choices(form, field) -> None:
    """A multi-select posted with an id that is not offered (a contact as "sales rep") is an error;
    Flask-Admin would otherwise drop the whole selection silently."""
    if getattr(field, "_invalid_formdata", False):
        raise ValidationError("Not a valid choice: choose from the list.")


def _upper(value):
    return value.strip().upper() if isinstance(value, str) else value


CURRENCY_ARGS = {"filters": [_upper], "validators": [Regexp(r"^[A-Z]{3}$", message="Use a 3-letter ISO code like EUR.")],
                 "description": "ISO 4217 code, e.g. EUR, USD, GBP"}


class CompanyAdmin(WelcomesNewAccess, StaffModelView):
    edit_template = "admin/company_edit.html"
    column_list = ("code", "name", "is_customer", "is_supplier", "portal_access", "currency", "credit_limit",
                   "price_tier", "created_dt")
    column_searchable_list = ("code", "name", "email", "tax_number")
    column_filters = ("is_customer", "is_supplier", "portal_access", "currency", "price_tier", "created_dt")
    column_sortable_list = ("code", "name", "currency", "credit_limit", "created_dt")
    column_labels = {"portal_access": "Allow customer portal", "is_customer": "Customer", "is_supplier": "Supplier",
                     "payment_terms_days": "Payment terms (days)", "discount_percent": "Discount %",
                     "show_charges_on_portal": "Show charges on customer portal"}
    column_descriptions = {"portal_access": "Contacts of this company may sign in only while this is on."}
    form_columns = ("code", "name", "is_customer", "is_supplier", "portal_access", "email", "phone", "tax_number",
                    "currency", "credit_limit", "payment_terms_days", "price_tier", "discount_percent",
                    "show_charges_on_portal", "sales_reps", "notes")
    form_args = {"currency": CURRENCY_ARGS, "code": {"description": "Account code, e.g. C-1001"},
                 "portal_access": {"description": "Contacts of this company may sign in only while this is on. "
                                                  "Switching it off signs out contacts who have no other company "
                                                  "with access."},
                 "show_charges_on_portal": {"description": "Extra charges staff add to an order (freight, "
                                                           "surcharges, waiting time) are shown on the order for "
                                                           "the customer to approve or reject; only approved ones "
                                                           "are invoiced. Off: charges stay internal and are "
                                                           "invoiced as approved."},
                 "sales_reps": {"query_factory": reps, "label": "Sales reps", "validators": [known_choices],
                                "description": "Reps with \"allocated customers only\" access act only for the "
                                               "customers allocated to them."}}
    inline_models = (
        StaffInline(Address, form_columns=("id", "kind", "label", "recipient", "line1", "line2", "postcode", "city",
                                           "country", "is_default")),
        StaffInline(Membership, form_columns=("id", "user", "role", "job_title", "is_active"),
                    form_args={"user": {"query_factory": contacts, "label": "Contact"}}, form_label="Portal users"),
    )

    def update_model(self, form, model):
        form.stored_portal_access = bool(model.portal_access)
        return super().update_model(form, model)

    def contacts_touched(self, form, model) -> set[int]:
        stored = {m.user_id for m in model.memberships} if model is not None else set()
        return stored | inline_users(form, "memberships")

    def on_model_change(self, form, model, is_created):
        model.code = (model.code or "").strip()
        wanted = bool(model.portal_access)
        signed_out = []
        if not is_created and getattr(form, "stored_portal_access", wanted) != wanted:
            model.portal_access = form.stored_portal_access  # the service makes the change, and its effects
            signed_out = portal_access.set_company_access(model, wanted, current_actor())
        super().on_model_change(form, model, is_created)
        self.welcome_new_access(form, model)
        if signed_out:
            flash(f"{len(signed_out)} contact(s) of {model.name} were signed out: "
                  f"{', '.join(u.name for u in signed_out)}.", "info")

    def invitation_panel(self, company: Company) -> list[dict]:
        """The Invitations panel of the company record: each contact, their state, the invitation buttons."""
        contacts = [m.user for m in sorted(company.memberships, key=lambda m: (m.user.name, m.user_id))
                    if m.is_active and m.user.is_contact]
        last = portal_access.last_invited(u.id for u in contacts)
        return [{"user": u, "role": next(m.role.name for m in company.memberships if m.user_id == u.id),
                 "state": badge(u.invitation_state), "last_invited": last.get(u.id),
                 "buttons": invitation_buttons(u)} for u in contacts]

    @action("enable_portal", "Enable customer portal",
            "Allow the contacts of the selected companies to use the customer portal?")
    def action_enable_portal(self, ids):
        self._switch_portal(ids, True)

    @action("disable_portal", "Disable customer portal",
            "Switch the customer portal off for the selected companies? Their contacts are signed out "
            "unless another company gives them access.")
    def action_disable_portal(self, ids):
        self._switch_portal(ids, False)

    def _switch_portal(self, ids, enabled: bool) -> None:
        companies = db.session.execute(
            select(Company).where(Company.id.in_(selected_ids(ids))).order_by(Company.name)).scalars().all()
        if not companies:
            flash("Select at least one company.", "error")
            return
        changed = [c for c in companies if c.portal_access != enabled]
        signed_out = set()
        for company in changed:
            signed_out.update(u.id for u in portal_access.set_company_access(company, enabled, current_actor()))
        db.session.commit()
        state = "enabled" if enabled else "disabled"
        message = f"Customer portal {state} for {len(changed)} company(ies)"
        if len(changed) < len(companies):
            message += f" ({len(companies) - len(changed)} already had it {state})"
        message += "."
        if signed_out:
            message += f" {len(signed_out)} contact(s) were signed out."
        flash(message, "success")


class AddressAdmin(StaffModelView):
    column_list = ("company", "kind", "label", "line1", "postcode", "city", "country", "is_default", "is_archived")
    column_searchable_list = ("line1", "city", "postcode", "label", "recipient")
    column_filters = (company_filter(Address.company_id), "kind", "country", "is_default", "is_archived")
    column_labels = {"is_archived": "Archived"}
    column_descriptions = {"is_archived": "Out of the customer's address book; kept because orders refer to it."}
    form_columns = ("company", "kind", "label", "recipient", "line1", "line2", "postcode", "city", "country",
                    "is_default", "is_archived")
    form_args = {"country": {"filters": [_upper], "validators": [
        Regexp(r"^[A-Z]{2}$", message="Use a 2-letter country code like NL.")]}}


def views():
    return [
        CompanyAdmin(Company, "Companies", CUSTOMERS),
        AddressAdmin(Address, "Addresses", CUSTOMERS),
    ]
