"""Dashboard, company switch (contacts in several companies), customer picker (sales reps)."""
from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal import settings
from portal.blueprints.core import bp
from portal.blueprints.core.blocks import shown_blocks
from portal.extensions import db
from portal.models import Company
from portal.permissions import (
    acting,
    active_memberships,
    current_actor,
    public,
    rep_may_act_for,
    require_permission,
    signed_in,
)
from portal.routing import parse_id
from portal.services import audit, reps, uploads
from portal.services.redirects import safe_next


@bp.route("/")
@signed_in
def home():
    if current_user.is_rep and acting().company is None:
        return redirect(url_for("core.choose_customer"))
    act = acting()
    if act.company is not None and not act.company.is_customer:
        return render_template("core/supplier_home.html", blocks=shown_blocks(act.company, act.can))
    return redirect(url_for("core.dashboard"))


@bp.route("/dashboard")
@require_permission("dashboard.view")
def dashboard():
    act = acting()
    return render_template("core/dashboard.html", blocks=shown_blocks(act.company, act.can))


@bp.route("/company/switch", methods=["POST"])
@signed_in
def switch_company():
    if not current_user.is_contact:
        abort(404)
    wanted = parse_id(request.form.get("company_id"))
    membership = next((m for m in active_memberships(current_user) if m.company_id == wanted), None)
    if membership is None:
        abort(404)
    session["company_id"] = membership.company_id
    g.pop("portal_acting", None)
    audit.record("company.switched", membership.company, company_id=membership.company_id, actor=current_actor())
    db.session.commit()
    flash(_("You are now working for %(company)s.", company=membership.company.name), "info")
    return redirect(url_for("core.home"))


PICKER_LIMIT = 50


@bp.route("/customers", methods=["GET", "POST"])
@signed_in
def choose_customer():
    if not current_user.is_rep:
        abort(404)
    if request.method == "POST":
        company_id = parse_id(request.form.get("company_id"))
        if not company_id or not rep_may_act_for(current_user, company_id):
            abort(404)
        company = db.session.get(Company, company_id)
        session["acting_company_id"] = company_id
        g.pop("portal_acting", None)
        reps.start_acting(company, current_actor())
        db.session.commit()
        flash(_("You are now acting for %(company)s.", company=company.name), "info")
        return redirect(safe_next(request.args.get("next")) or url_for("core.dashboard"))
    search = request.args.get("q", "").strip()[:100]
    rows, total = reps.customers_for(current_user, search, limit=PICKER_LIMIT)
    return render_template("core/choose_customer.html", rows=rows, total=total, search=search,
                           limit=PICKER_LIMIT)


@bp.route("/customers/stop", methods=["POST"])
@signed_in
def stop_acting():
    if not current_user.is_rep:
        abort(404)
    company = acting().company
    if company is not None:
        audit.record("rep.stop_acting", company, company_id=company.id, actor=current_actor())
        db.session.commit()
    session.pop("acting_company_id", None)
    g.pop("portal_acting", None)
    flash(_("You stopped acting for the customer."), "info")
    return redirect(url_for("core.choose_customer"))


@bp.route("/brand/logo")
@public
def brand_logo():
    """The uploaded logo (shown on the sign-in page too), served as every upload is."""
    name = settings.get("branding.logo_path")
    if not name:
        abort(404)
    return uploads.serve(name)
