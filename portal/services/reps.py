"""Sales reps: which customers a rep may pick to act for, and the record of their picking one."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Address, AddressKind, Company, Quote, RepAccess, User, UserKind, rep_allocation
from portal.services import audit, portal_events
from portal.services.actor import Actor


def customers_for(rep: User, search: str = "", limit: int = 50) -> tuple[list[tuple[Company, str | None]], int]:
    """(company, city) rows the rep may act for — every customer, or only allocated ones — whose
    name, code or any address city contains `search`; and how many match in all."""
    city = (select(Address.city).where(Address.company_id == Company.id)
            .order_by((Address.kind == AddressKind.billing).desc(), Address.is_default.desc(), Address.id)
            .limit(1).correlate(Company).scalar_subquery())
    query = select(Company, city.label("city")).where(Company.is_customer.is_(True))
    if rep.rep_access != RepAccess.all:
        query = query.join(rep_allocation, rep_allocation.c.company_id == Company.id).where(
            rep_allocation.c.user_id == rep.id)
    search = (search or "").strip().lower()
    if search:
        in_city = select(Address.id).where(Address.company_id == Company.id,
                                           func.lower(Address.city).contains(search, autoescape=True))
        query = query.where(func.lower(Company.name).contains(search, autoescape=True)
                            | func.lower(Company.code).contains(search, autoescape=True) | in_city.exists())
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(query.order_by(Company.name, Company.id).limit(limit)).all()
    return [(company, city) for company, city in rows], total


def for_quote(quote: Quote) -> list[User]:
    """Who looks after a quote: its creator when staff, and the reps allocated to its company (active
    ones, in one query)."""
    query = select(User).where(User.is_active_flag.is_(True)).where(
        ((User.id == quote.created_by_id) & (User.kind == UserKind.staff))
        | User.id.in_(select(rep_allocation.c.user_id).where(rep_allocation.c.company_id == quote.company_id)))
    return list(db.session.execute(query.order_by(User.id)).scalars())


def start_acting(company: Company, by: Actor) -> None:
    """Record that the rep now works for the customer (audit trail, company activity). Caller commits."""
    audit.record("rep.act_for", company, company_id=company.id, actor=by)
    portal_events.record("rep_acted_for", company_id=company.id, by=by)
