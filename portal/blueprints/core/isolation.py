"""Objects the core's URLs take, made for one company (the tenant-isolation matrix uses these)."""
from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Address, Company, Membership, Role, User, UserKind


def make_address(company: Company) -> int:
    address = Address(company_id=company.id, line1=f"{company.name} Lane 1", city="Utrecht", postcode="3511 AA")
    db.session.add(address)
    db.session.flush()
    return address.id


def make_member(company: Company) -> int:
    """A Buyer of the company (the object of the company-users pages)."""
    role = db.session.execute(select(Role).filter_by(name="Buyer")).scalar_one()
    user = User(email=f"member.{company.code.lower()}@example.com", name=f"Member of {company.name}",
                kind=UserKind.contact, portal_access=True)
    db.session.add(user)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, company_id=company.id, role_id=role.id))
    db.session.flush()
    return user.id
