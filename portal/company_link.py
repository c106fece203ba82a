"""Links that name their company: ``?company=<id>`` on a portal page switches the signed-in person to
that company first, when they may work for it, then shows the page without the parameter.

Emails and notifications about a company's document link to it with ``mailer.company_url`` (which adds
the parameter), so a contact in two companies — or a sales rep acting for several customers — who
opens an invoice of company B while working for company A lands on the invoice, not on a 404. The
switch is the same as the company switcher's (and the rep's customer picker's): only to a company the
person may use now, audited, and said in a message. A company they may not use changes nothing and
the page answers as it would have (usually 404). Someone not signed in is sent to sign in first and
the link (parameter included) is followed afterwards.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, flash, g, redirect, request, session
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.models import Company
from portal.permissions import acting, active_memberships, current_actor, rep_may_act_for
from portal.routing import parse_id
from portal.services import audit

PARAM = "company"


def _switch_to(company_id: int) -> Company | None:
    """Switch the signed-in contact or rep to `company_id` when they may use it; the company, else None."""
    if current_user.is_rep:
        if not rep_may_act_for(current_user, company_id):
            return None
        session["acting_company_id"] = company_id
        company, event = db.session.get(Company, company_id), "rep.act_for"
    else:
        membership = next((m for m in active_memberships(current_user) if m.company_id == company_id), None)
        if membership is None:
            return None
        session["company_id"] = company_id
        company, event = membership.company, "company.switched"
    g.pop("portal_acting", None)
    g.pop("portal_memberships", None)
    audit.record(event, company, company_id=company_id, actor=current_actor())
    db.session.commit()
    return company


def follow_company_link():
    if PARAM not in request.args or request.method not in ("GET", "HEAD"):
        return None
    if not current_user.is_authenticated or current_user.is_staff:
        return None  # sign-in keeps the parameter in "next"; staff pages ignore it
    wanted = parse_id(request.args.get(PARAM))
    if wanted and wanted != acting().company_id:
        company = _switch_to(wanted)
        if company is not None:
            message = (_("You are now acting for %(company)s.", company=company.name) if current_user.is_rep
                       else _("You are now working for %(company)s.", company=company.name))
            flash(message, "info")
    rest = [(key, value) for key, value in request.args.items(multi=True) if key != PARAM]
    return redirect(request.script_root + request.path + ("?" + urlencode(rest) if rest else ""))


def init_app(app: Flask) -> None:
    app.before_request(follow_company_link)
