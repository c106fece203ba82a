"""Permission keys, the acting company, access decorators and tenant scoping.

Every portal view declares its access policy with one of the decorators below; the
isolation test walks the URL map and fails on a view without one.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps

from flask import abort, current_app, g, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import Select, String, bindparam, select
from sqlalchemy.orm import contains_eager

from portal import reading
from portal.extensions import db
from portal.features import registry
from portal.login_session import SESSION_KEY
from portal.models import Company, InvitationState, Membership, Notification, RepAccess, rep_allocation
from portal.services import notifications, portal_notices
from portal.services.actor import Actor

#: permissions a rep never gets while acting for a customer
REP_EXCLUDED = frozenset({"company.users.manage"})

POLICY_ATTR = "portal_access_policy"


def all_permissions() -> dict[str, str]:
    """Every permission key the core and the features declare -> what it allows."""
    return registry().permissions()


# --- the acting company -------------------------------------------------------------------------

class Acting:
    """Who is acting, for which company, with which permissions — resolved once per request."""

    def __init__(self, company: Company | None, membership: Membership | None, rep=None):
        self.company = company
        self.membership = membership
        self.rep = rep

    @property
    def company_id(self) -> int | None:
        return self.company.id if self.company else None

    def can(self, permission: str) -> bool:
        if self.company is None:
            return False
        if self.rep is not None:
            return permission not in REP_EXCLUDED
        role = self.membership.role
        return role.all_permissions or permission in (role.permissions or [])


def rep_may_act_for(rep, company_id: int) -> bool:
    company = db.session.get(Company, company_id)
    if company is None or not company.is_customer:  # reps act for customers, never as a supplier
        return False
    if rep.rep_access == RepAccess.all:
        return True
    row = db.session.execute(
        select(rep_allocation.c.company_id).where(
            rep_allocation.c.user_id == rep.id, rep_allocation.c.company_id == company_id)
    ).first()
    return row is not None


def active_memberships(user) -> list[Membership]:
    """Memberships a contact may use now: the person's own access on (given, and not revoked by staff),
    the membership active and the company's portal access on.

    Only staff switch a person's own access on again after revoking it; nothing a customer does (an
    invitation, a membership added) counts while it is off."""
    if not _may_use_memberships(user):
        return []
    return list(db.session.execute(_memberships_of(user)).scalars())


def _may_use_memberships(user) -> bool:
    return bool(user.portal_access and user.invitation_state != InvitationState.revoked and user.is_active)


def _memberships_of(user) -> Select:
    return _memberships(user.id)


def _memberships(user_id) -> Select:
    """The user's usable memberships with their company and role (one join)."""
    return (select(Membership).join(Membership.company).join(Membership.role)
            .options(contains_eager(Membership.company), contains_eager(Membership.role))
            .where(Membership.user_id == user_id, Membership.is_active.is_(True), Company.portal_access.is_(True))
            .order_by(Company.name))


@lru_cache(maxsize=2)
def _memberships_with_unread(engine: str) -> Select:
    """``_memberships`` of the user bound as user_id, with the user's unread portal notifications per company
    of the kinds bound as kinds (``reading.list_value``); built once: a request binds its values."""
    user_id = bindparam("user_id")
    return _memberships(user_id).add_columns(notifications.unread_clause(
        user_id, reading.in_ids(Notification.kind, "kinds", engine, String), Membership.company_id))


def current_memberships() -> list[Membership]:
    """active_memberships() of the signed-in contact, read once per request (nav, switcher, acting) — with,
    in the same statement, the contact's unread portal notifications per company (unread_by_company)."""
    if "portal_memberships" not in g:
        memberships, unread = [], {}
        if current_user.is_authenticated and _may_use_memberships(current_user):
            engine = reading.dialect()
            params = {"user_id": current_user.id, "kinds": reading.list_value(portal_notices.enabled_kinds(), engine)}
            for membership, unread_count in db.session.execute(_memberships_with_unread(engine), params):
                memberships.append(membership)
                unread[membership.company_id] = unread_count
        g.portal_memberships, g.portal_unread_by_company = memberships, unread
    return g.portal_memberships


def unread_by_company() -> dict[int, int]:
    """The signed-in contact's unread portal notifications per company it may act for (no extra query)."""
    current_memberships()
    return g.portal_unread_by_company


def acting() -> Acting:
    if "portal_acting" in g:
        return g.portal_acting
    result = Acting(None, None)
    if current_user.is_authenticated:
        if current_user.is_rep:
            company_id = session.get("acting_company_id")
            if company_id and rep_may_act_for(current_user, company_id):
                result = Acting(db.session.get(Company, company_id), None, rep=current_user._get_current_object())
        elif current_user.is_contact:
            memberships = current_memberships()
            wanted = session.get("company_id")
            chosen = next((m for m in memberships if m.company_id == wanted), memberships[0] if memberships else None)
            if chosen is not None:
                result = Acting(chosen.company, chosen)
    g.portal_acting = result
    return result


def can(permission: str) -> bool:
    return acting().can(permission)


def current_actor() -> Actor:
    """The principal of this request, for services: who, for which company, from where."""
    origin = {"ip": request.remote_addr, "user_agent": (request.user_agent.string or "")[:255]}
    if current_user.is_anonymous:  # not is_authenticated: that follows is_active, which a form may be changing
        return Actor(**origin)
    user = current_user._get_current_object()
    company_id = None if user.is_staff else acting().company_id
    return Actor(user=user, company_id=company_id, acting_rep_id=user.id if user.is_rep else None,
                 session_key=session.get(SESSION_KEY), **origin)


def scoped(query: Select, model) -> Select:
    """Limit a select to the acting company's rows; no acting company means nothing is found."""
    company_id = acting().company_id
    if company_id is None:
        abort(404)
    return query.where(model.company_id == company_id)


def get_scoped_or_404(model, object_id):
    obj = db.session.execute(scoped(select(model), model).where(model.id == object_id)).scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj


# --- access decorators ----------------------------------------------------------------------------

def _mark(view: Callable, policy: tuple) -> Callable:
    setattr(view, POLICY_ATTR, policy)
    return view


def _login_redirect():
    if request.accept_mimetypes.best == "application/json":
        abort(401)
    return redirect(url_for("core.login", next=request.full_path.rstrip("?")))


def public(view: Callable) -> Callable:
    """Anyone, signed in or not (login page, guest catalog, quote share links)."""
    return _mark(view, ("public",))


def signed_in(view: Callable) -> Callable:
    """Any signed-in portal user (contact or rep), no company needed (profile, company picker)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return _login_redirect()
        if current_user.is_staff:
            abort(403, description="You are signed in as staff. The portal pages are for customers; "
                                   "use the back office.")
        return view(*args, **kwargs)

    return _mark(wrapper, ("signed_in",))


def require_permission(permission: str, audience: str = "customer") -> Callable:
    """A signed-in contact or acting rep whose acting company has `permission`.

    audience "supplier" requires the acting company to be a supplier, "customer" a customer.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return _login_redirect()
            if current_user.is_staff:
                abort(403, description="You are signed in as staff. The portal pages are for customers; "
                                       "use the back office.")
            act = acting()
            if act.company is None:
                if current_user.is_rep:
                    return redirect(url_for("core.choose_customer", next=request.full_path.rstrip("?")))
                abort(403, description="Your account has no portal access at the moment.")
            if audience == "supplier" and not act.company.is_supplier:
                abort(404)
            if audience == "customer" and not act.company.is_customer:
                abort(404)
            if not act.can(permission):
                abort(403, description="Your role does not allow this. Ask your company's portal admin.")
            return view(*args, **kwargs)

        return _mark(wrapper, ("permission", permission, audience))

    return decorator


def policy_of(app, endpoint: str):
    view = app.view_functions.get(endpoint)
    return getattr(view, POLICY_ATTR, None) if view else None


def portal_endpoints(app) -> list[str]:
    """Every endpoint outside the admin and static files (the customer-facing surface)."""
    return sorted(e for e in app.view_functions
                  if not e.startswith("admin") and e != "static" and not e.endswith(".static")
                  and not current_app.config.get("ISOLATION_IGNORE", set()) & {e})
