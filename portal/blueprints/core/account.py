"""The signed-in user's own account: profile, password, notifications, the company's address book."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional

from portal import i18n
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

COUNTRY_MESSAGE = _l("Enter the country as a two-letter code, e.g. NL or DE.")
KIND_LABELS = {"billing": _l("Billing"), "shipping": _l("Shipping")}


class ProfileForm(PortalForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter your name.")), Length(max=120)])
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=40)])
    #: choices per request ("" = the business's default, named in the active language); the service checks
    language = SelectField(_l("Language"), choices=[], validate_choice=False,
                           description=_l("Pages and emails are written in this language."))
    submit = SubmitField(_l("Save profile"))

    def offer_languages(self) -> None:
        default = i18n.language_name(i18n.business_language())
        self.language.choices = [("", _("The business's default (%(language)s)", language=default)),
                                 *i18n.LANGUAGES]


class PasswordForm(PortalForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(message=_l("Enter your current password."))])
    new = PasswordField(_l("New password"), validators=[DataRequired(message=_l("Enter a new password.")), Length(max=200)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(message=_l("Repeat the new password.")), Length(max=200)])
    submit = SubmitField(_l("Change password"))


class NotificationsForm(PortalForm):
    #: choices are set per request: the preferences of the enabled features
    kinds = SelectMultipleField(_l("Email me about"), choices=[],
                                widget=widgets.ListWidget(prefix_label=False),
                                option_widget=widgets.CheckboxInput())
    submit = SubmitField(_l("Save preferences"))


class AddressForm(PortalForm):
    kind = RadioField(_l("Type"), choices=[(k.value, KIND_LABELS[k.value]) for k in AddressKind],
                      default=AddressKind.shipping.value, validators=[DataRequired(message=_l("Choose billing or shipping."))])
    label = StringField(_l("Label"), validators=[Optional(), Length(max=80)], description=_l("e.g. Main warehouse"))
    recipient = StringField(_l("Recipient"), validators=[Optional(), Length(max=120)])
    line1 = StringField(_l("Street and number"), validators=[DataRequired(message=_l("Enter the street and number.")),
                                                         Length(max=160)])
    line2 = StringField(_l("Address line 2"), validators=[Optional(), Length(max=160)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=20)])
    city = StringField(_l("City"), validators=[DataRequired(message=_l("Enter the city.")), Length(max=80)])
    country = StringField(_l("Country code"), default="NL", description=_l("Two letters, e.g. NL, BE, DE"),
                          validators=[DataRequired(message=_l("Enter the country code.")),
                                      Length(min=2, max=2, message=COUNTRY_MESSAGE)])
    is_default = BooleanField(_l("Use as the default for this type"))
    submit = SubmitField(_l("Save address"))

    def data_for_service(self) -> AddressData:
        return AddressData(kind=self.kind.data, label=self.label.data or "", recipient=self.recipient.data or "",
                           line1=self.line1.data or "", line2=self.line2.data or "",
                           postcode=self.postcode.data or "", city=self.city.data or "",
                           country=self.country.data or "", is_default=bool(self.is_default.data))


def _default_now(address: Address) -> str:
    name = address.label or address.line1
    if address.kind == AddressKind.billing:
        return _("%(name)s is now the default billing address.", name=name)
    return _("%(name)s is now the default shipping address.", name=name)


# --- profile, password, notifications -------------------------------------------------------------

@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    form.offer_languages()
    if form.validate_on_submit():
        try:
            changed = accounts.update_profile(user, name=form.name.data, phone=form.phone.data,
                                              language=form.language.data, by=current_actor())
        except AccountError as error:
            db.session.rollback()
            getattr(form, error.field or "name").errors.append(str(error))
        else:
            db.session.commit()
            i18n.reset_cached_locale()  # the message below is already in the newly chosen language
            flash(_("Your profile is saved.") if changed else _("Nothing changed."), "success")
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
            flash(_("Your password is changed. Other devices signed in with your account were signed out."), "success")
            return redirect(url_for("core.account"))
    return render_template("core/account_password.html", form=form)


@bp.route("/account/notifications", methods=["GET", "POST"])
@signed_in
def account_notifications():
    user = current_user._get_current_object()
    form = NotificationsForm()
    groups = preferences.offered_by_feature()
    form.kinds.choices = [(kind, _(wording)) for _feature, prefs in groups for kind, wording in prefs.items()]
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
            flash(_("Your notification preferences are saved."), "success")
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
            flash(_("Address %(name)s added.", name=address.label or address.line1), "success")
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
            flash(_("Address saved."), "success")
            return redirect(url_for("core.addresses_index"))
    return render_template("core/addresses_form.html", form=form, address=address)


@bp.route("/account/addresses/<int:address_id>/default", methods=["POST"])
@require_permission("account.addresses.manage")
def address_default(address_id: int):
    address = _scoped_address(address_id)  # the form's CSRF token is checked by CSRFProtect
    addresses.set_default(address, by=current_actor())
    db.session.commit()
    flash(_default_now(address), "success")
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
        message = (_("Address %(name)s removed from your address book. The orders that used it still show it.",
                     name=name) if kept else _("Address %(name)s deleted.", name=name))
        if replacement is not None:
            message += " " + _default_now(replacement)
        flash(message, "success")
        return redirect(url_for("core.addresses_index"))
    return render_template("core/addresses_delete.html", form=form, address=address)
