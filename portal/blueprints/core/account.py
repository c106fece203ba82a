"""The signed-in user's own account: profile, password, notifications, the company's address book."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional

from portal.blueprints.core import bp
from portal.extensions import db
from portal.forms import PortalForm
from portal.models import Address, AddressKind
from portal.permissions import (
    acting,
    active_memberships,
    current_actor,
    get_scoped_or_404,
    require_permission,
    scoped,
    signed_in,
)
from portal.services import accounts, addresses, preferences
from portal.services.accounts import AccountError
from portal.services.addresses import AddressData, AddressError

COUNTRY_MESSAGE = "Enter the country as a two-letter code, e.g. NL or DE."


class ProfileForm(PortalForm):
    name = StringField("Name", validators=[DataRequired(message="Enter your name."), Length(max=120)])
    phone = TelField("Phone", validators=[Optional(), Length(max=40)])
    submit = SubmitField("Save profile")


class PasswordForm(PortalForm):
    current = PasswordField("Current password", validators=[DataRequired(message="Enter your current password.")])
    new = PasswordField("New password", validators=[DataRequired(message="Enter a new password."), Length(max=200)])
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(message="Repeat the new password."), Length(max=200)])
    submit = SubmitField("Change password")


class NotificationsForm(PortalForm):
    #: choices are set per request: the preferences of the enabled features
    kinds = SelectMultipleField("Email me about", choices=[],
                                widget=widgets.ListWidget(prefix_label=False),
                                option_widget=widgets.CheckboxInput())
    submit = SubmitField("Save preferences")


class AddressForm(PortalForm):
    kind = RadioField("Type", choices=[(k.value, k.value.capitalize()) for k in AddressKind],
                      default=AddressKind.shipping.value, validators=[DataRequired(message="Choose billing or shipping.")])
    label = StringField("Label", validators=[Optional(), Length(max=80)], description="e.g. Main warehouse")
    recipient = StringField("Recipient", validators=[Optional(), Length(max=120)])
    line1 = StringField("Street and number", validators=[DataRequired(message="Enter the street and number."),
                                                         Length(max=160)])
    line2 = StringField("Address line 2", validators=[Optional(), Length(max=160)])
    postcode = StringField("Postcode", validators=[Optional(), Length(max=20)])
    city = StringField("City", validators=[DataRequired(message="Enter the city."), Length(max=80)])
    country = StringField("Country code", default="NL", description="Two letters, e.g. NL, BE, DE",
                          validators=[DataRequired(message="Enter the country code."),
                                      Length(min=2, max=2, message=COUNTRY_MESSAGE)])
    is_default = BooleanField("Use as the default for this type")
    submit = SubmitField("Save address")

    def data_for_service(self) -> AddressData:
        return AddressData(kind=self.kind.data, label=self.label.data or "", recipient=self.recipient.data or "",
                           line1=self.line1.data or "", line2=self.line2.data or "",
                           postcode=self.postcode.data or "", city=self.city.data or "",
                           country=self.country.data or "", is_default=bool(self.is_default.data))


# --- profile, password, notifications -------------------------------------------------------------

@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        try:
            changed = accounts.update_profile(user, name=form.name.data, phone=form.phone.data, by=current_actor())
        except AccountError as error:
            db.session.rollback()
            getattr(form, error.field or "name").errors.append(str(error))
        else:
            db.session.commit()
            flash("Your profile is saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("core.account"))
    memberships = active_memberships(user) if user.is_contact else []
    return render_template("core/account.html", form=form, memberships=memberships)


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def account_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user._get_current_object(), current=form.current.data,
                                     new=form.new.data, confirm=form.confirm.data, by=current_actor())
        except AccountError as error:
            db.session.rollback()
            getattr(form, error.field or "new").errors.append(str(error))
        else:
            db.session.commit()
            flash("Your password is changed. Other devices signed in with your account were signed out.", "success")
            return redirect(url_for("core.account"))
    return render_template("core/account_password.html", form=form)


@bp.route("/account/notifications", methods=["GET", "POST"])
@signed_in
def account_notifications():
    user = current_user._get_current_object()
    form = NotificationsForm()
    groups = preferences.offered_by_feature()
    form.kinds.choices = [choice for _, prefs in groups for choice in prefs.items()]
    if not form.is_submitted():
        form.kinds.data = [kind for kind, on in accounts.notification_prefs(user).items() if on]
    if form.validate_on_submit():
        try:
            accounts.set_notification_prefs(user, form.kinds.data or [], by=current_actor())
        except AccountError as error:
            db.session.rollback()
            form.kinds.errors.append(str(error))
        else:
            db.session.commit()
            flash("Your notification preferences are saved.", "success")
            return redirect(url_for("core.account_notifications"))
    return render_template("core/account_notifications.html", form=form, groups=groups)


# --- the acting company's address book -------------------------------------------------------------

def _scoped_address(address_id: int) -> Address:
    address = get_scoped_or_404(Address, address_id)
    if address.is_archived:
        abort(404)
    return address


@bp.route("/account/addresses")
@require_permission("dashboard.view")  # every member who sees the company may see its addresses
def addresses_index():
    book = db.session.execute(scoped(addresses.book_query(), Address)).scalars().all()
    by_kind = {kind: [a for a in book if a.kind == kind] for kind in AddressKind}
    return render_template("core/addresses.html", by_kind=by_kind,
                           may_edit=acting().can("account.addresses.manage"))


@bp.route("/account/addresses/new", methods=["GET", "POST"])
@require_permission("account.addresses.manage")
def address_new():
    form = AddressForm()
    if form.validate_on_submit():
        try:
            address = addresses.add(acting().company, form.data_for_service(), by=current_actor())
        except AddressError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"Address {address.label or address.line1} added.", "success")
            return redirect(url_for("core.addresses_index"))
    return render_template("core/addresses_form.html", form=form, address=None)


@bp.route("/account/addresses/<int:address_id>/edit", methods=["GET", "POST"])
@require_permission("account.addresses.manage")
def address_edit(address_id: int):
    address = _scoped_address(address_id)
    form = AddressForm(obj=address)
    if not form.is_submitted():
        form.kind.data = address.kind.value
    if form.validate_on_submit():
        try:
            addresses.update_address(address, form.data_for_service(), by=current_actor())
        except AddressError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("Address saved.", "success")
            return redirect(url_for("core.addresses_index"))
    return render_template("core/addresses_form.html", form=form, address=address)


@bp.route("/account/addresses/<int:address_id>/default", methods=["POST"])
@require_permission("account.addresses.manage")
def address_default(address_id: int):
    address = _scoped_address(address_id)  # the form's CSRF token is checked by CSRFProtect
    addresses.set_default(address, by=current_actor())
    db.session.commit()
    flash(f"{address.label or address.line1} is now the default {address.kind.value} address.", "success")
    return redirect(url_for("core.addresses_index"))


@bp.route("/account/addresses/<int:address_id>/delete", methods=["GET", "POST"])
@require_permission("account.addresses.manage")
def address_delete(address_id: int):
    address = _scoped_address(address_id)
    form = FlaskForm()
    if form.validate_on_submit():
        name = address.label or address.line1
        try:
            replacement = addresses.delete(address, by=current_actor())
        except AddressError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("core.addresses_index"))
        kept = address.is_archived  # on orders: out of the book, still shown on those orders
        db.session.commit()
        message = (f"Address {name} removed from your address book. The orders that used it still show it."
                   if kept else f"Address {name} deleted.")
        if replacement is not None:
            message += f" {replacement.label or replacement.line1} is now the default {replacement.kind.value} address."
        flash(message, "success")
        return redirect(url_for("core.addresses_index"))
    return render_template("core/addresses_delete.html", form=form, address=address)
