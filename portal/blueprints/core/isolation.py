"""Objects the core's URLs take, made for one company (the tenant-isolation matrix uses these)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import Address, Company, CompanyInvitation, Membership, Role, User, UserKind
from portal.models.base import utcnow


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


def make_invitation(company: Company) -> int:
    """An open invitation of the company (resend and withdraw take it)."""
    role = db.session.execute(select(Role).filter_by(name="Buyer")).scalar_one()
    email = f"invited.{company.code.lower()}@example.com"
    now = utcnow()
    invitation = CompanyInvitation(company_id=company.id, email=email, open_email=email, name="Invited Person",
                                   role_id=role.id, sent_dt=now, expires_dt=now + timedelta(days=14))
    db.session.add(invitation)
    db.session.flush()
    return invitation.id
